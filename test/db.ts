import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { openDatabase, type Database } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgres://root@127.0.0.1:5432/test";

export type TestDatabase = Database & { name: string; /** PostgreSQL only: its connection string (for processes and the job queue). */ url?: string };

/**
 * A fresh, migrated database for one test file: in-memory PGlite, or a new throwaway
 * database on the PostgreSQL server (dropped afterwards), per LL_TEST_DB.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (process.env.LL_TEST_DB !== "postgres") {
    const database = await openDatabase({ dataDir: "memory://" });
    await migrateDatabase(database);
    return { ...database, name: "pglite" };
  }
  const name = `ll_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString() });
  await migrateDatabase(database);
  return {
    ...database,
    name,
    url: url.toString(),
    close: async () => {
      await database.close();
      const a = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/** Empty every table between tests (keeps the schema and migrations). */
export async function truncateAll(database: Database): Promise<void> {
  const { sql } = await import("drizzle-orm");
  await database.db.execute(
    sql.raw(
      `truncate users, institutions, skills, connections, consent_sessions, consent_session_steps, financial_accounts,
       balance_snapshots, transactions, sync_runs, api_tokens, webhook_subscriptions, webhook_deliveries, audit_log,
       sessions, auth_throttle, inbound_webhooks, transaction_rules, statement_imports, statement_import_rows,
       manual_accounts, manual_valuations, manual_transactions, simplefin_usage, simplefin_status,
       api_rate_limits, webhook_attempts, webhook_event_keys restart identity cascade`,
    ),
  );
}
