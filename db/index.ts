import { env } from "@/lib/env";
import { openDatabase, type Database, type Db } from "./client";
import { migrateDatabase } from "./migrate";

export type { Db } from "./client";

const g = globalThis as unknown as { __ledgerlinkDb?: Promise<Database> };

/**
 * The process-wide database (cached on globalThis so dev reloads reuse it). Opened
 * lazily on first use — never at build time — and migrated before first use.
 */
export function getDatabase(): Promise<Database> {
  g.__ledgerlinkDb ??= (async () => {
    const e = env();
    const database = await openDatabase({ url: e.databaseUrl, dataDir: e.dataDir });
    await migrateDatabase(database);
    return database;
  })().catch((err) => {
    g.__ledgerlinkDb = undefined;
    throw err;
  });
  return g.__ledgerlinkDb;
}

export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}
