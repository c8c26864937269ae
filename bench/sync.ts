import { eq, sql } from "drizzle-orm";
import { transactions, users } from "@/db/schema";
import { linkConnection } from "@/lib/connections/service";
import { createDemoConnector } from "@/lib/connectors/demo/connector";
import type { Connector } from "@/lib/connectors/contract";
import { syncConnection } from "@/lib/sync/engine";
import { CHUNK_SIZE } from "@/lib/sync/apply";
import { TEN_YEAR_BENCH } from "@/emulators/demo/ledger";
import { DemoEmulator } from "@/emulators/demo/server";
import type { Database } from "@/db/client";
import { benchDatabase, fmt, ms } from "./harness";

/**
 * Issue #3's measures: first import of ten years of demo history (~100k transactions)
 * through the real engine, beside the ceiling of a plain batched INSERT of the same rows
 * into the same table on the same database; and a refresh with nothing new.
 */
export async function benchSync(kind: "pglite" | "postgres", historyDays: number = TEN_YEAR_BENCH.historyDays) {
  const database = await benchDatabase(kind);
  const db = database.db;
  try {
    const now = Date.UTC(2026, 5, 1, 12);
    const emulator = new DemoEmulator({ now: () => now });
    const connector = createDemoConnector({ baseUrl: "http://demo.bench", fetch: (i, init) => emulator.handle(new Request(i, init)) }) as Connector<unknown>;
    const clock = { now: () => now, sleep: async () => {}, random: Math.random };
    const [u] = await db.insert(users).values({ email: "bench@example.com", passwordHash: "x" }).returning({ id: users.id });
    const userId = u!.id;
    const { connectionId } = await linkConnection(
      db,
      { userId, connectorId: "demo", payload: { institutionId: "demo_platypus", seed: 2026, historyDays, density: TEN_YEAR_BENCH.density } },
      { connector },
    );

    let t0 = performance.now();
    const first = await syncConnection(db, { userId, connectionId, trigger: "initial" }, { connector, clock });
    const importMs = ms(t0);
    if (first.status !== "success") throw new Error(`import failed: ${JSON.stringify(first)}`);
    const rows = first.diff.added;

    t0 = performance.now();
    const again = await syncConnection(db, { userId, connectionId, trigger: "manual" }, { connector, clock });
    const noopMs = ms(t0);
    if (again.status !== "success" || again.diff.added + again.diff.modified + again.diff.removed !== 0) throw new Error("no-op refresh changed data");

    // Ceiling: the same rows as plain batched multi-row INSERTs (bind parameters, no ON
    // CONFLICT, no query builder) straight through the driver, same table and indexes.
    const saved = await db.select().from(transactions).where(eq(transactions.userId, userId));
    await db.execute(sql`delete from transactions`);
    t0 = performance.now();
    for (let i = 0; i < saved.length; i += CHUNK_SIZE) await plainInsert(database, saved.slice(i, i + CHUNK_SIZE));
    const ceilingMs = ms(t0);

    return { kind, rows, importMs, noopMs, ceilingMs, pages: first.pages };
  } finally {
    await database.close();
  }
}

const COLS = ["user_id", "account_id", "provider_transaction_id", "pending", "pending_transaction_id", "date", "authorized_date", "amount", "currency", "description", "merchant", "counterparty", "category", "type", "raw"] as const;

async function plainInsert(database: Database, rows: (typeof transactions.$inferSelect)[]) {
  const params: unknown[] = [];
  const tuples = rows.map((r) => {
    const vals = [r.userId, r.accountId, r.providerTransactionId, r.pending, r.pendingTransactionId, r.date, r.authorizedDate, r.amount, r.currency, r.description, r.merchant, r.counterparty, r.category, r.type, JSON.stringify(r.raw)];
    return `(${vals.map((v) => (params.push(v), `$${params.length}`)).join(",")})`;
  });
  const text = `insert into transactions (${COLS.join(",")}) values ${tuples.join(",")}`;
  const client = (database.db as unknown as { $client: { unsafe?: (t: string, p: unknown[]) => Promise<unknown>; query?: (t: string, p: unknown[]) => Promise<unknown> } }).$client;
  if (database.kind === "postgres") await client.unsafe!(text, params);
  else await client.query!(text, params);
}

export function printSync(r: Awaited<ReturnType<typeof benchSync>>) {
  const rate = r.rows / (r.importMs / 1000);
  const ceil = r.rows / (r.ceilingMs / 1000);
  console.log(`sync/${r.kind}: first import ${fmt(r.rows)} rows in ${fmt(r.importMs / 1000, 2)} s = ${fmt(rate)} rows/s (${r.pages} pages)`);
  console.log(`sync/${r.kind}: plain batched INSERT (driver, 1000 rows/statement) ceiling ${fmt(r.ceilingMs / 1000, 2)} s = ${fmt(ceil)} rows/s; import/ceiling = ${fmt((rate / ceil) * 100, 1)}% (target ≥ 50%)`);
  console.log(`sync/${r.kind}: refresh with nothing new ${fmt(r.noopMs, 0)} ms (target < 1000 ms)`);
}
