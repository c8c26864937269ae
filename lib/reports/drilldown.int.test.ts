import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { seedTransactions, seedUser } from "@/test/fixtures";
import { parseFilters, type TransactionFilters } from "@/lib/transactions/filters";
import { summarizeTransactions } from "@/lib/transactions/query";
import { toUnits } from "@/lib/money/decimal";
import { bucketStarts, drill, transactionsHref, type BucketUnit, type ChartFilters } from "./buckets";
import { overview } from "./overview";
import { overviewConverted } from "./overview-converted";
import { defaultOverviewFilters, overviewFilters } from "./overview-filters";

/**
 * Drill-down: every chart element links to the transaction table with a filter, and the
 * table's totals for that filter (the same query the table shows) equal the chart's value
 * to the cent — for cash-flow buckets of every size, categories, merchants and fees, with
 * transfers, user-excluded rows, pending rows and deleted rows in the data.
 */

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.close());
beforeEach(async () => truncateAll(t));

/** The table's filter behind a link (what /transactions?… parses). */
function linkFilters(href: string): TransactionFilters {
  const url = new URL(href, "http://x");
  expect(url.pathname).toBe("/transactions");
  const r = parseFilters(url.searchParams);
  if (!r.ok) throw new Error(JSON.stringify(r.fieldErrors));
  return r.filters;
}

async function tableTotals(userId: string, href: string) {
  const rows = await summarizeTransactions(t.db, { userId, filters: linkFilters(href) });
  expect(rows.length).toBeLessThanOrEqual(1); // one currency in these tests
  return rows[0] ?? { count: 0, moneyIn: "0", moneyOut: "0", net: "0", currency: "USD" };
}

const same = (a: string, b: string) => expect(toUnits(a, 4)).toBe(toUnits(b, 4));
const neg = (s: string) => (s.startsWith("-") ? s.slice(1) : `-${s}`);

async function seed() {
  const u = await seedUser(t.db);
  const checking = await u.account("Checking", "USD");
  const savings = await u.account("Savings", "USD");
  await seedTransactions(t.db, u.userId, checking, [
    { date: "2026-01-02", amount: "2500.00", description: "PAYROLL", merchant: "Acme Corp", category: "Salary", type: "deposit" },
    { date: "2026-01-05", amount: "-45.10", description: "SAFEWAY 123", merchant: "Safeway", category: "Groceries", type: "card" },
    { date: "2026-01-06", amount: "-12.00", description: "MONTHLY FEE", merchant: null, category: "Fees", type: "fee" },
    { date: "2026-01-12", amount: "-500.00", description: "TO SAVINGS", category: "Transfer", type: "transfer" },
    { date: "2026-01-19", amount: "-30.05", description: "SAFEWAY 123", merchant: "Safeway", category: "Groceries", type: "card", pending: true },
    { date: "2026-01-26", amount: "-99.99", description: "HIDDEN BY USER", merchant: "Safeway", category: "Groceries", type: "card", excluded: true },
    { date: "2026-02-01", amount: "-0.01", description: "DELETED", merchant: "Safeway", category: "Groceries", deletedAt: new Date() },
    { date: "2026-02-03", amount: "-61.25", description: "CHIPOTLE 0042", merchant: "Chipotle", category: "Restaurants", type: "card" },
    { date: "2026-02-14", amount: "-3.50", description: "FOREIGN TRANSACTION FEE", category: "Fees", type: "fee" },
    { date: "2026-02-28", amount: "15.75", description: "REFUND", merchant: "Chipotle", category: "Restaurants", type: "card" },
    { date: "2026-03-01", amount: "-8.40", description: "UNCATEGORISED THING", type: "card" },
    { date: "2026-04-30", amount: "-1200.00", description: "RENT", merchant: "Landlord", category: "Rent", type: "payment" },
    { date: "2026-05-01", amount: "2500.00", description: "PAYROLL", merchant: "Acme Corp", category: "Salary", type: "deposit" },
  ]);
  await seedTransactions(t.db, u.userId, savings, [{ date: "2026-01-12", amount: "500.00", description: "FROM CHECKING", category: "Transfer", type: "transfer" }]);
  return { ...u, checking };
}

const PERIOD = { from: "2026-01-01", to: "2026-05-31" };

describe("chart click-through: the table's totals equal the chart's value", () => {
  for (const unit of ["week", "month", "quarter"] as BucketUnit[])
    for (const transfers of ["left out", "included"] as const)
      it(`cash flow per ${unit}, transfers ${transfers} (native and converted)`, async () => {
        const u = await seed();
        const f: ChartFilters = { ...PERIOD, ...(transfers === "left out" ? { exclude_type: ["transfer"] } : {}) };
        const native = await overview(t.db, { userId: u.userId, filters: f, unit });
        const converted = await overviewConverted(t.db, { userId: u.userId, base: "USD", filters: f, today: "2026-05-31", unit });
        const starts = bucketStarts(unit, PERIOD.from, PERIOD.to);
        let checked = 0;
        for (const start of starts) {
          const n = native.cashflow.find((r) => r.bucket === start);
          const c = converted.cashflow.find((r) => r.bucket === start);
          const inHref = drill.bucket(f, unit, start, "in");
          const outHref = drill.bucket(f, unit, start, "out");
          if (transfers === "left out") expect(inHref).toContain("exclude_type=transfer");
          const tin = await tableTotals(u.userId, inHref);
          const tout = await tableTotals(u.userId, outHref);
          same(tin.moneyIn, n?.moneyIn ?? "0");
          same(tout.moneyOut, neg(n?.moneyOut ?? "0"));
          same(tin.moneyIn, c?.moneyIn ?? "0");
          same(tout.moneyOut, neg(c?.moneyOut ?? "0"));
          if (n) checked++;
        }
        expect(checked).toBeGreaterThan(1);
        // Every row the chart counts falls in a bucket: the buckets add up to the period's table totals.
        const whole = await tableTotals(u.userId, transactionsHref(f, { direction: "out" }));
        const sumOut = native.cashflow.reduce((s, r) => s + toUnits(r.moneyOut, 4), 0n);
        expect(toUnits(neg(whole.moneyOut), 4)).toBe(sumOut);
        // Known figures (read from the seed): Jan money out without transfers = 45.10 + 12.00 + 30.05 (pending counts; excluded and deleted do not).
        if (unit === "month") {
          const jan = native.cashflow.find((r) => r.bucket === "2026-01-01")!;
          same(jan.moneyOut, transfers === "left out" ? "87.15" : "587.15");
          same(jan.moneyIn, transfers === "left out" ? "2500" : "3000");
        }
      });

  it("categories, merchants and fees link to a table totalling the same", async () => {
    const u = await seed();
    const f: ChartFilters = { ...PERIOD, exclude_type: ["transfer"] };
    for (const data of [await overview(t.db, { userId: u.userId, filters: f }), await overviewConverted(t.db, { userId: u.userId, base: "USD", filters: f, today: "2026-05-31" })]) {
      const linked = data.categories; // "Uncategorised" links too: the filter value selects rows with no category
      expect(linked.map((c) => c.category)).toEqual(["Rent", "Groceries", "Restaurants", "Fees", "Uncategorised"]);
      for (const c of linked) same(neg((await tableTotals(u.userId, drill.category(f, c.category))).moneyOut), c.spent);
      expect(data.merchants.length).toBeGreaterThan(3);
      for (const m of data.merchants) {
        const tt = await tableTotals(u.userId, drill.merchant(f, m.merchant));
        same(neg(tt.moneyOut), m.spent);
        expect(tt.count).toBe(m.count);
      }
      // "Safeway": 45.10 + 30.05 (the excluded 99.99 and the deleted 0.01 are not counted, as in the table)
      same(data.merchants.find((m) => m.merchant === "Safeway")!.spent, "75.15");
      expect(data.fees).toHaveLength(1);
      const fees = await tableTotals(u.userId, drill.fees(f));
      same(neg(fees.moneyOut), data.fees[0]!.total);
      same(data.fees[0]!.total, "15.50");
      expect(fees.count).toBe(data.fees[0]!.count);
    }
  });

  it("the Overview's default leaves transfers out through the filter, visibly; a bad link is an error, not a silent default", () => {
    const d = overviewFilters({}, "2026-11-21");
    expect(d).toEqual({ ok: true, filters: defaultOverviewFilters("2026-11-21") });
    expect(d.ok && d.filters).toEqual({ from: "2025-11-22", exclude_type: ["transfer"] });
    expect(drill.category(defaultOverviewFilters("2026-11-21"), "Groceries")).toBe("/transactions?from=2025-11-22&direction=out&category=Groceries&exclude_type=transfer");
    // Any filter in the URL is taken as written (here: transfers included).
    expect(overviewFilters({ from: "2026-01-01" }, "2026-11-21")).toEqual({ ok: true, filters: { from: "2026-01-01", pending: "include" } });
    const bad = overviewFilters({ from: "2026-13-01", min: "abc" }, "2026-11-21");
    expect(bad.ok).toBe(false);
    expect(!bad.ok && Object.keys(bad.fieldErrors).sort()).toEqual(["from", "min"]);
  });

  it("another user's rows never reach the charts or the links' totals", async () => {
    const a = await seed();
    const b = await seedUser(t.db);
    const acct = await b.account("Other", "USD");
    await seedTransactions(t.db, b.userId, acct, [{ date: "2026-01-05", amount: "-1000.00", description: "SAFEWAY", merchant: "Safeway", category: "Groceries" }]);
    const f: ChartFilters = { ...PERIOD, exclude_type: ["transfer"] };
    const data = await overview(t.db, { userId: a.userId, filters: f });
    same(data.merchants.find((m) => m.merchant === "Safeway")!.spent, "75.15");
    same(neg((await tableTotals(a.userId, drill.merchant(f, "Safeway"))).moneyOut), "75.15");
  });
});
