import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connections, syncRuns, transactions } from "@/db/schema";
import type { Connector } from "@/lib/connectors/contract";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { demoHarness } from "@/test/sync-harness";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());
beforeEach(() => truncateAll(t));

describe("an amount too large to store", () => {
  it("skips that row with a warning on the run and keeps the rest; the next sync works too", async () => {
    const h = await demoHarness(t.db, { pageSize: 50 });
    const id = await h.link();
    let poisoned = "";
    const huge = (amount: string) =>
      ({
        ...h.connector,
        fetchTransactions: async (creds: unknown, opts: Parameters<Connector<unknown>["fetchTransactions"]>[1]) => {
          const page = await h.connector.fetchTransactions(creds, opts);
          const first = page.added[0];
          if (first && !poisoned) {
            poisoned = first.providerTransactionId;
            page.added[0] = { ...first, amount };
          }
          return page;
        },
      }) as Connector<unknown>;
    const run = await h.sync(id, { trigger: "initial" }, { connector: huge("-1000000000000000.00") });
    expect(run).toMatchObject({ status: "success" });
    const truth = await h.groundTruth(id);
    const rows = await t.db.select({ id: transactions.providerTransactionId }).from(transactions).where(eq(transactions.userId, h.userId));
    expect(rows).toHaveLength(truth.size - 1);
    expect(rows.map((r) => r.id)).not.toContain(poisoned);
    const [r] = await t.db.select().from(syncRuns).where(eq(syncRuns.connectionId, id));
    expect(r!.status).toBe("success");
    expect(r!.warnings).toEqual([expect.stringContaining(`Skipped transaction ${poisoned}`)]);
    const [c] = await t.db.select().from(connections).where(eq(connections.id, id));
    expect(c!.status).toBe("active");

    // 999 999 999 999 999.9999 is the largest numeric(19,4) value: stored exactly.
    poisoned = "";
    await t.db.update(connections).set({ syncCursor: null }).where(eq(connections.id, id));
    expect(await h.sync(id, {}, { connector: huge("999999999999999.9999") })).toMatchObject({ status: "success" });
    const [max] = await t.db.select({ a: sql<string>`${transactions.amount}::text` }).from(transactions).where(eq(transactions.providerTransactionId, poisoned));
    expect(max!.a).toBe("999999999999999.9999");
  });
});
