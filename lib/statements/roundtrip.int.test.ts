import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { seedTransactions, seedUser } from "@/test/fixtures";
import { exportStream } from "@/lib/transactions/export";
import { parseFilters } from "@/lib/transactions/filters";
import { parseStatement, summarize } from "./index";
import { commitImport } from "./import";

let database: TestDatabase;
// opening and migrating an embedded database can take a while on a busy machine
beforeAll(async () => {
  database = await createTestDatabase();
}, 180_000);
afterAll(async () => database?.close());
beforeEach(async () => truncateAll(database));

async function exportOfx(userId: string): Promise<Uint8Array> {
  const parsed = parseFilters(new URLSearchParams());
  if (!parsed.ok) throw new Error("filters");
  const reader = exportStream(database.db, { userId, filters: parsed.filters, format: "ofx" }).getReader();
  const parts: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  return Buffer.concat(parts);
}

describe(`OFX round trip (${process.env.LL_TEST_DB ?? "pglite"})`, () => {
  it("export → parse → import gives the same rows and sums per account", async () => {
    const a = await seedUser(database.db);
    const checking = await a.account("Checking", "EUR");
    const card = await a.account("Card", "EUR");
    await seedTransactions(database.db, a.userId, checking, [
      { date: "2025-01-02", amount: "-12.3400", currency: "EUR", description: "Bakery & Co <Main St>" },
      { date: "2025-01-02", amount: "-12.3400", currency: "EUR", description: "Bakery & Co <Main St>" },
      { date: "2025-01-05", amount: "2500.0000", currency: "EUR", description: "Salary" },
    ]);
    await seedTransactions(database.db, a.userId, card, [{ date: "2025-01-07", amount: "-99.9900", currency: "EUR", description: "Shop" }]);

    const bytes = await exportOfx(a.userId);
    const result = parseStatement(bytes);
    expect(result.errors).toEqual([]);
    const got = summarize(result).map((s) => [s.account, s.currency, s.transactions, s.sum]);
    expect(got).toEqual(
      expect.arrayContaining([
        [checking, "EUR", 3, "2475.32"],
        [card, "EUR", 1, "-99.99"],
      ]),
    );
    expect(summarize(result).flatMap((s) => s.statements.flatMap((st) => st.transactions)).find((t) => t.description.startsWith("Bakery"))!.description).toBe("Bakery & Co <Main St>");

    const b = await seedUser(database.db);
    const res = await commitImport(database.db, { userId: b.userId, files: [{ name: "export.ofx", bytes }] });
    expect(res.imports[0]!.added).toBe(4);
    const again = await exportOfx(b.userId);
    const sums = summarize(parseStatement(again)).map((s) => [s.transactions, s.sum]).sort();
    expect(sums).toEqual([
      [1, "-99.99"],
      [3, "2475.32"],
    ]);
  });
});
