#!/usr/bin/env node
// A throwaway PostgreSQL database for the e2e web server: `reset <name>` drops and
// creates it empty (the app migrates it at start), `drop <name>` removes it.
// The server is TEST_DATABASE_URL (default: the local trust-auth PostgreSQL).
import postgres from "postgres";

const [cmd, name] = process.argv.slice(2);
if (!["reset", "drop"].includes(cmd) || !/^[a-z_][a-z0-9_]{0,62}$/.test(name ?? "")) {
  console.error("usage: e2e-db.mjs reset|drop <database name>");
  process.exit(2);
}
const admin = postgres(process.env.TEST_DATABASE_URL ?? "postgres://root@127.0.0.1:5432/test", { max: 1, onnotice: () => {} });
try {
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  if (cmd === "reset") await admin.unsafe(`create database ${name}`);
} finally {
  await admin.end();
}
