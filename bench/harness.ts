import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { openDatabase, type Database } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";

export const BENCH_PG_URL = process.env.TEST_DATABASE_URL ?? "postgres://root@127.0.0.1:5432/test";

/** A fresh database for a benchmark: PGlite on disk (like the app) or a new Postgres database. */
export async function benchDatabase(kind: "pglite" | "postgres"): Promise<Database & { url?: string }> {
  if (kind === "pglite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ll-bench-"));
    const d = await openDatabase({ dataDir: dir });
    await migrateDatabase(d);
    return { ...d, close: async () => { await d.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
  }
  const name = `ll_bench_${randomBytes(4).toString("hex")}`;
  const admin = postgres(BENCH_PG_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(BENCH_PG_URL);
  url.pathname = `/${name}`;
  const d = await openDatabase({ url: url.toString() });
  await migrateDatabase(d);
  return {
    ...d,
    url: url.toString(),
    close: async () => {
      await d.close();
      const a = postgres(BENCH_PG_URL, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

export const ms = (t0: number) => performance.now() - t0;
export const fmt = (n: number, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
