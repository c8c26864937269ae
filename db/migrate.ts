import path from "node:path";
import type { Database } from "./client";
import { applyTriggers } from "./triggers";

export const MIGRATIONS_FOLDER = path.join(process.cwd(), "db", "migrations");

/**
 * Apply drizzle-kit's generated migrations, then the triggers of db/triggers.ts. On PostgreSQL an advisory lock keeps
 * several app processes starting at once from racing each other.
 */
export async function migrateDatabase(database: Database, migrationsFolder = MIGRATIONS_FOLDER): Promise<void> {
  if (database.kind === "pglite") {
    const { migrate } = await import("drizzle-orm/pglite/migrator");
    await migrate(database.db as never, { migrationsFolder });
    await applyTriggers(database);
    return;
  }
  const { migrate } = await import("drizzle-orm/postgres-js/migrator");
  const client = (database.db as unknown as { $client: import("postgres").Sql }).$client;
  const reserved = await client.reserve();
  try {
    await reserved`select pg_advisory_lock(7423001)`;
    await migrate(database.db as never, { migrationsFolder });
    await applyTriggers(database);
  } finally {
    await reserved`select pg_advisory_unlock(7423001)`;
    reserved.release();
  }
}
