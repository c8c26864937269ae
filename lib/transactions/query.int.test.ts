import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { seedTransactions, seedUser } from "@/test/fixtures";
import { cashflowByBucket, netWorthSeries, overview } from "@/lib/reports/overview";
import { parseFilters, SORTS, type TransactionFilters } from "./filters";
import { getTransaction, groupByMerchant, listTypes, queryTransactions, summarizeTransactions } from "./query";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());
beforeEach(() => truncateAll(t));

const filters = (q: Record<string, string | string[]> = {}): TransactionFilters => {
  const r = parseFilters(q);
  if (!r.ok) throw new Error(JSON.stringify(r.fieldErrors));
  return r.filters;
};

async function all(userId: string, f: TransactionFilters) {
  const out = [];
  let cursor: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const page = await queryTransactions(t.db, { userId, filters: { ...f, cursor } });
    out.push(...page.rows);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return out;
}

describe("transaction queries", () => {
  it("totals cover every page of the filter, per currency, exact to the cent, and only the owner's rows", async () => {
    const u = await seedUser(t.db);
    const other = await seedUser(t.db);
    const usd = await u.account("Checking");
    const eur = await u.account("Euro", "EUR");
    await seedTransactions(t.db, u.userId, usd, [
      { date: "2026-01-01", amount: "-0.10" },
      { date: "2026-01-02", amount: "-0.20" },
      { date: "2026-01-03", amount: "1000.01" },
      { date: "2026-02-01", amount: "-5.00" },
    ]);
    await seedTransactions(t.db, u.userId, eur, [{ date: "2026-01-05", amount: "-3.33", currency: "EUR" }]);
    await seedTransactions(t.db, other.userId, await other.account("Theirs"), [{ date: "2026-01-05", amount: "-999" }]);
    const f = filters({ from: "2026-01-01", to: "2026-01-31", limit: "1" });
    expect((await queryTransactions(t.db, { userId: u.userId, filters: f })).rows).toHaveLength(1);
    const totals = await summarizeTransactions(t.db, { userId: u.userId, filters: f });
    expect(totals).toEqual([
      { currency: "USD", count: 3, moneyIn: "1000.0100", moneyOut: "-0.3000", net: "999.7100" },
      { currency: "EUR", count: 1, moneyIn: "0", moneyOut: "-3.3300", net: "-3.3300" },
    ]);
    expect(await summarizeTransactions(t.db, { userId: u.userId, filters: filters({ q: "no such thing" }) })).toEqual([]);
  });

  it("search also finds notes; types are listed for the picker", async () => {
    const u = await seedUser(t.db);
    const acct = await u.account("Checking");
    await seedTransactions(t.db, u.userId, acct, [
      { date: "2026-01-01", amount: "-1", description: "CARD 1234", note: "Birthday present for Ana", type: "card" },
      { date: "2026-01-02", amount: "-1", description: "CARD 5678", type: "fee" },
    ]);
    expect((await all(u.userId, filters({ q: "birthday" }))).map((r) => r.description)).toEqual(["CARD 1234"]);
    expect(await listTypes(t.db, { userId: u.userId })).toEqual(["card", "fee"]);
  });

  it("empty results: no rows, no cursor", async () => {
    const { userId } = await seedUser(t.db);
    expect(await queryTransactions(t.db, { userId, filters: filters() })).toEqual({ rows: [], nextCursor: null, prevCursor: null });
  });

  it("amount filters are absolute and exact to the cent", async () => {
    const u = await seedUser(t.db);
    const acct = await u.account("Checking");
    await seedTransactions(t.db, u.userId, acct, [
      { date: "2026-01-01", amount: "-0.01", description: "ONE CENT OUT" },
      { date: "2026-01-02", amount: "0.01", description: "ONE CENT IN" },
      { date: "2026-01-03", amount: "0.02", description: "TWO CENTS" },
      { date: "2026-01-04", amount: "-1000.00", description: "BIG" },
    ]);
    const cents = await all(u.userId, filters({ min: "0.01", max: "0.01" }));
    expect(cents.map((r) => r.description).sort()).toEqual(["ONE CENT IN", "ONE CENT OUT"]);
    expect((await all(u.userId, filters({ min: "0.01", max: "0.01", direction: "out" }))).map((r) => r.amount)).toEqual(["-0.0100"]);
    expect((await all(u.userId, filters({ min: "0.015" }))).map((r) => r.description).sort()).toEqual(["BIG", "TWO CENTS"]);
    expect((await all(u.userId, filters({ direction: "in" }))).length).toBe(2);
  });

  it("search is case-insensitive and treats % and _ literally", async () => {
    const u = await seedUser(t.db);
    const acct = await u.account("Checking");
    await seedTransactions(t.db, u.userId, acct, [
      { date: "2026-01-01", amount: "-1", description: "100% CASHBACK" },
      { date: "2026-01-01", amount: "-1", description: "A_B STORE" },
      { date: "2026-01-01", amount: "-1", description: "AXB STORE" },
      { date: "2026-01-01", amount: "-1", description: "x", merchant: "Blue Bottle Coffee" },
      { date: "2026-01-01", amount: "-1", description: "BACK\\SLASH" },
    ]);
    const q = async (s: string) => (await all(u.userId, filters({ q: s }))).map((r) => r.merchant ?? r.description).sort();
    expect(await q("%")).toEqual(["100% CASHBACK"]);
    expect(await q("_")).toEqual(["A_B STORE"]);
    expect(await q("a_b")).toEqual(["A_B STORE"]);
    expect(await q("COFFEE")).toEqual(["Blue Bottle Coffee"]);
    expect(await q("\\")).toEqual(["BACK\\SLASH"]);
    expect(await q("nothing like this")).toEqual([]);
  });

  it("pending included / excluded / only; deleted rows never appear", async () => {
    const u = await seedUser(t.db);
    const acct = await u.account("Checking");
    await seedTransactions(t.db, u.userId, acct, [
      { date: "2026-01-01", amount: "-1", pending: true, description: "P" },
      { date: "2026-01-01", amount: "-1", description: "POSTED" },
      { date: "2026-01-01", amount: "-1", description: "GONE", deletedAt: new Date(), deletedReason: "provider_removed" },
    ]);
    expect((await all(u.userId, filters())).map((r) => r.description).sort()).toEqual(["P", "POSTED"]);
    expect((await all(u.userId, filters({ pending: "exclude" }))).map((r) => r.description)).toEqual(["POSTED"]);
    expect((await all(u.userId, filters({ pending: "only" }))).map((r) => r.description)).toEqual(["P"]);
  });

  for (const tz of ["UTC", "Pacific/Auckland"]) {
    it(`month boundaries do not drift (TZ=${tz})`, async () => {
      const before = process.env.TZ;
      process.env.TZ = tz;
      try {
        const u = await seedUser(t.db);
        const acct = await u.account("Checking");
        await seedTransactions(t.db, u.userId, acct, [
          { date: "2026-01-31", amount: "-10.00", description: "JAN LAST" },
          { date: "2026-02-01", amount: "-20.00", description: "FEB FIRST" },
          { date: "2026-02-28", amount: "5.00", description: "FEB LAST" },
          { date: "2026-03-01", amount: "-40.00", description: "MAR FIRST" },
        ]);
        const feb = await all(u.userId, filters({ from: "2026-02-01", to: "2026-02-28" }));
        expect(feb.map((r) => r.description).sort()).toEqual(["FEB FIRST", "FEB LAST"]);
        expect(feb.map((r) => r.date).sort()).toEqual(["2026-02-01", "2026-02-28"]);
        const months = await cashflowByBucket(t.db, { userId: u.userId, filters: {} });
        expect(months.map((m) => [m.bucket, m.moneyIn, m.moneyOut])).toEqual([
          ["2026-01-01", "0", "10.0000"],
          ["2026-02-01", "5.0000", "20.0000"],
          ["2026-03-01", "0", "40.0000"],
        ]);
      } finally {
        process.env.TZ = before;
      }
    });
  }

  for (const sort of SORTS)
    for (const order of ["asc", "desc"] as const) {
      it(`keyset paging by ${sort} ${order} neither skips nor repeats rows, even with ties`, async () => {
        const u = await seedUser(t.db);
        const acct = await u.account("Checking");
        const rows = [];
        for (let i = 0; i < 23; i++) {
          // Heavy ties: 3 dates, 3 amounts (signs differ, |amount| ties), 2 merchants (case differs).
          rows.push({ date: `2026-01-0${1 + (i % 3)}`, amount: i % 2 ? "-5.00" : i % 3 ? "5.00" : "-7.50", merchant: i % 2 ? "Acme" : "acme", description: `D${i}` });
        }
        const ids = await seedTransactions(t.db, u.userId, acct, rows);
        for (const limit of [1, 4, 7]) {
          const got = await all(u.userId, filters({ sort, order, limit: String(limit) }));
          expect(got.map((r) => r.id).sort()).toEqual([...ids].sort());
          expect(new Set(got.map((r) => r.id)).size).toBe(ids.length);
          const big = await queryTransactions(t.db, { userId: u.userId, filters: filters({ sort, order, limit: "200" }) });
          expect(got.map((r) => r.id)).toEqual(big.rows.map((r) => r.id));
        }
      });
    }

  for (const [sort, order] of [["date", "desc"], ["amount", "asc"], ["merchant", "desc"]] as const)
    it(`previous page (${sort} ${order}) walks back over exactly the pages walked forward`, async () => {
      const u = await seedUser(t.db);
      const acct = await u.account("Checking");
      const rows = Array.from({ length: 11 }, (_, i) => ({ date: `2026-02-0${1 + (i % 2)}`, amount: i % 3 ? "-5.00" : "9.00", merchant: i % 2 ? "Beta" : "alpha", description: `D${i}` }));
      await seedTransactions(t.db, u.userId, acct, rows);
      const f = filters({ sort, order, limit: "3" });
      // Forward: pages of 3, 3, 3, 2.
      const forward: { ids: string[]; prev: string | null }[] = [];
      let cursor: string | undefined;
      for (;;) {
        const p = await queryTransactions(t.db, { userId: u.userId, filters: { ...f, cursor } });
        forward.push({ ids: p.rows.map((r) => r.id), prev: p.prevCursor });
        if (!p.nextCursor) break;
        cursor = p.nextCursor;
      }
      expect(forward.map((p) => p.ids.length)).toEqual([3, 3, 3, 2]);
      expect(forward[0]!.prev).toBeNull();
      // Backward from the last page: each "previous" is the page before it, the first has no previous.
      let back = forward[3]!.prev;
      for (let i = 2; i >= 0; i--) {
        const p = await queryTransactions(t.db, { userId: u.userId, filters: { ...f, cursor: back! } });
        expect(p.rows.map((r) => r.id)).toEqual(forward[i]!.ids);
        expect(p.nextCursor).not.toBeNull();
        if (i === 0) expect(p.prevCursor).toBeNull();
        back = p.prevCursor;
      }
      // A short run back to the start still gives a full first page: back from page 2 after rows were added before it.
      await seedTransactions(t.db, u.userId, acct, [{ date: "2026-02-09", amount: "-1.00", merchant: "zeta", description: "NEW" }]);
      const again = await queryTransactions(t.db, { userId: u.userId, filters: { ...f, cursor: forward[1]!.prev! } });
      expect(again.rows).toHaveLength(3);
    });

  it("a cursor from another sort order is refused, not misapplied", async () => {
    const u = await seedUser(t.db);
    const acct = await u.account("Checking");
    await seedTransactions(t.db, u.userId, acct, Array.from({ length: 5 }, (_, i) => ({ date: "2026-01-01", amount: `-${i + 1}` })));
    const p = await queryTransactions(t.db, { userId: u.userId, filters: filters({ limit: "2" }) });
    await expect(queryTransactions(t.db, { userId: u.userId, filters: filters({ limit: "2", sort: "amount", cursor: p.nextCursor! }) })).rejects.toThrow(/another sort order/);
    await expect(queryTransactions(t.db, { userId: u.userId, filters: filters({ cursor: "garbage" }) })).rejects.toThrow(/not valid/);
  });

  it("a forged cursor (a key the database cannot cast) is a clear invalid_input, not a database error", async () => {
    const u = await seedUser(t.db);
    const acct = await u.account("Checking");
    await seedTransactions(t.db, u.userId, acct, Array.from({ length: 3 }, (_, i) => ({ date: "2026-01-01", amount: `-${i + 1}` })));
    const forge = (s: string, k: string) => Buffer.from(JSON.stringify({ s, o: "desc", k, i: "00000000-0000-4000-8000-000000000000" })).toString("base64url");
    for (const [sort, k] of [["date", "not-a-date"], ["date", "2026-02-31"], ["amount", "1e999"], ["amount", "abc"], ["merchant", "a\u0000b"]] as const) {
      await expect(queryTransactions(t.db, { userId: u.userId, filters: filters({ sort, cursor: forge(sort, k) }) })).rejects.toMatchObject({
        code: "invalid_input",
        message: expect.stringMatching(/page link is not valid/),
      });
    }
    // A real key still pages.
    expect((await queryTransactions(t.db, { userId: u.userId, filters: filters({ sort: "amount", cursor: forge("amount", "2.0000") }) })).rows).toHaveLength(1);
  });

  it("groups by merchant with counts and exact totals", async () => {
    const u = await seedUser(t.db);
    const acct = await u.account("Checking");
    await seedTransactions(t.db, u.userId, acct, [
      { date: "2026-01-01", amount: "-0.10", merchant: "Coffee" },
      { date: "2026-01-02", amount: "-0.20", merchant: "Coffee" },
      { date: "2026-01-03", amount: "100", description: "SALARY" },
    ]);
    const g = await groupByMerchant(t.db, { userId: u.userId, filters: filters() });
    expect(g.map((x) => [x.merchant, x.count, x.total])).toEqual([
      ["SALARY", 1, "100.0000"],
      ["Coffee", 2, "-0.3000"],
    ]);
  });
});

describe("user isolation in the query layer", () => {
  it("another user's ids, filters and aggregates reveal nothing", async () => {
    const a = await seedUser(t.db, "a@example.com");
    const b = await seedUser(t.db, "b@example.com");
    const aAcct = await a.account("A checking");
    const [aTx] = await seedTransactions(t.db, a.userId, aAcct, [{ date: "2026-01-01", amount: "-12.34", merchant: "Secret Shop" }]);
    expect(await all(b.userId, filters())).toEqual([]);
    expect(await all(b.userId, filters({ account: aAcct }))).toEqual([]);
    expect(await getTransaction(t.db, { userId: b.userId, id: aTx! })).toBeNull();
    expect(await getTransaction(t.db, { userId: a.userId, id: aTx! })).not.toBeNull();
    expect(await groupByMerchant(t.db, { userId: b.userId, filters: filters({ account: aAcct }) })).toEqual([]);
    const ov = await overview(t.db, { userId: b.userId, filters: {} });
    expect(ov).toEqual({ netWorth: [], cashflow: [], categories: [], merchants: [], fees: [] });
    expect(await netWorthSeries(t.db, { userId: b.userId, filters: { account: [aAcct] } })).toEqual([]);
  });
});
