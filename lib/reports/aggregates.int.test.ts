import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { and, eq, inArray, sql } from "drizzle-orm";
import { balanceSnapshots, financialAccounts, manualValuations, transactions, users } from "@/db/schema";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { seedUser } from "@/test/fixtures";
import { loadRates, seedEcbHistory } from "@/lib/fx/rates";
import { applyTransactionPage, emptyDiff } from "@/lib/sync/apply";
import type { NormalizedTransaction } from "@/lib/connectors/contract";
import { createManualAccount, recordValuation } from "@/lib/wealth/manual";
import { netWorthDaily, netWorthSeries } from "@/lib/wealth/net-worth";
import { rowsOf } from "@/db/rows";
import { aggregatable, overviewConverted, overviewConvertedScan } from "./overview-converted";

/**
 * The maintained aggregates must give EXACTLY what a scan of every row gives (each
 * amount converted at its own date's rate and rounded, then summed), after any kind of
 * write: inserts, edits, deletes, a sync page, a base-currency change, a rate load.
 * Randomised (seeded) data, compared field by field with the scan on several ranges.
 */

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await seedEcbHistory(t.db, { from: "2019-06-01", to: "2020-06-30" });
});
afterAll(async () => t?.close());
beforeEach(async () => truncateAll(t));

/** mulberry32: a small seeded generator (the same data on every run). */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const TODAY = "2020-07-15"; // after the last loaded rate (2020-06-30): clamped rates too
/** The Overview's own filter (transfers left out, visible in its links): what the aggregates answer. */
const AGG = { exclude_type: ["transfer"] };
const RANGES = [
  {},
  { from: "2019-09-14" },
  { from: "2019-10-01" },
  { from: "2019-09-14", to: "2019-09-30" },
  { from: "2019-08-03", to: "2020-02-17" },
  { to: "2020-01-31" },
  { from: "2020-03-01", to: "2020-05-31" },
  { from: "2020-06-20" },
  { from: "2018-12-01", to: "2020-12-31" }, // whole years inside: yearly rows
  { from: "2019-01-01", to: "2019-12-31" },
];

/** Transfers kept (no type excluded: what the API's and an edited URL's all-time view asks). */
const ALL = {};

async function compareAll(userId: string, base: string) {
  for (const range of RANGES)
    for (const mode of [AGG, ALL]) {
      const filters = { ...range, ...mode };
      expect(aggregatable(filters), JSON.stringify(filters)).not.toBeNull();
      const agg = await overviewConverted(t.db, { userId, base, filters, today: TODAY });
      const scan = await overviewConvertedScan(t.db, { userId, base, filters, today: TODAY });
      expect(agg, JSON.stringify(filters)).toEqual(scan);
    }
  const ref = await netWorthDaily(t.db, { userId, base, from: "2019-07-01", to: TODAY });
  expect(await netWorthSeries(t.db, { userId, base, from: "2019-07-01", to: TODAY })).toEqual(ref);
  // A one-day range (the value carried in from before it) equals that day of the long series.
  for (const day of ["2019-07-01", "2019-08-02", "2019-12-31", "2020-03-15", TODAY]) {
    const one = await netWorthDaily(t.db, { userId, base, from: day, to: day });
    expect(one, day).toEqual(ref.filter((p) => p.date === day));
  }
  return ref;
}

async function scenario(seed: number) {
  const r = rng(seed);
  const u = await seedUser(t.db);
  const accounts = [
    { id: await u.account("USD", "USD"), currency: "USD" },
    { id: await u.account("EUR", "EUR"), currency: "EUR" },
    { id: await u.account("GBP", "GBP"), currency: "GBP" },
    { id: await u.account("ARS", "ARS"), currency: "ARS" }, // no ECB rate: counted as unconverted, never as zero
  ];
  const cats = ["Food", "Rent", "Fees", null, "Travel"];
  const types = ["card", "transfer", "fee", null];
  const rows = Array.from({ length: 1200 }, (_, i) => {
    const a = accounts[Math.floor(r() * (r() < 0.05 ? 4 : 3))]!;
    const day = new Date(Date.UTC(2019, 6, 1) + Math.floor(r() * 381) * 86_400_000).toISOString().slice(0, 10);
    const cents = Math.floor(r() * 2_000_000) - 1_500_000; // 4 decimals: −150.0000 … 49.9999
    const amount = `${cents < 0 ? "-" : ""}${Math.floor(Math.abs(cents) / 10000)}.${String(Math.abs(cents) % 10000).padStart(4, "0")}`;
    return {
      userId: u.userId,
      accountId: a.id,
      providerTransactionId: `r${seed}-${i}`,
      date: day,
      amount,
      currency: a.currency,
      description: `Desc ${i % 37}`,
      merchant: r() < 0.2 ? null : `M${Math.floor(r() * 25)}`,
      category: cats[Math.floor(r() * cats.length)]!,
      type: types[Math.floor(r() * types.length)]!,
      pending: r() < 0.05,
      excluded: r() < 0.05, // hidden from totals by the user: left out like the table's totals do
    };
  });
  for (let i = 0; i < rows.length; i += 400) await t.db.insert(transactions).values(rows.slice(i, i + 400));
  for (const a of accounts.slice(0, 3))
    for (let d = 0; d < 381; d += 1 + Math.floor(r() * 20)) {
      const date = new Date(Date.UTC(2019, 6, 1) + d * 86_400_000).toISOString().slice(0, 10);
      await t.db.insert(balanceSnapshots).values({ accountId: a.id, userId: u.userId, date, current: String(Math.floor(r() * 1e6) / 100), currency: a.currency });
    }
  const house = await createManualAccount(t.db, { userId: u.userId, input: { name: "House", kind: "property", currency: "CHF" } as never });
  await recordValuation(t.db, { userId: u.userId, input: { accountId: house.id, date: "2019-08-01", value: "250000.5" } as never });
  return { ...u, accounts, r };
}

describe("maintained aggregates equal the full scan", () => {
  it("after inserts, edits, deletes, a sync page, a base change and a rate load", async () => {
    const s = await scenario(16);
    const other = await scenario(99); // another user's rows never count
    await compareAll(s.userId, "EUR");
    const before = await overviewConverted(t.db, { userId: s.userId, base: "EUR", filters: AGG, today: TODAY });
    expect(before.unconverted).toBeGreaterThan(0);
    expect(before.merchants.length).toBe(10);

    // Edits of amount, date, category and merchant; soft and hard deletes (several months).
    const ids = rowsOf<{ id: string }>(await t.db.execute(sql`select id from transactions where user_id = ${s.userId} order by provider_transaction_id limit 60`)).map((x) => x.id);
    await t.db.update(transactions).set({ amount: "-77.7777", date: "2019-12-31" }).where(inArray(transactions.id, ids.slice(0, 10)));
    await t.db.update(transactions).set({ category: "Moved", merchant: "Renamed" }).where(inArray(transactions.id, ids.slice(10, 20)));
    await t.db.update(transactions).set({ deletedAt: new Date(), deletedReason: "user_deleted" }).where(inArray(transactions.id, ids.slice(20, 30)));
    await t.db.delete(transactions).where(inArray(transactions.id, ids.slice(30, 40)));
    // A row becomes a transfer, another stops being one: it moves between the two views.
    await t.db.update(transactions).set({ type: "transfer" }).where(inArray(transactions.id, ids.slice(40, 45)));
    await t.db.update(transactions).set({ type: null }).where(and(inArray(transactions.id, ids.slice(45, 60)), eq(transactions.type, "transfer")));
    await t.db.update(balanceSnapshots).set({ current: "123.45" }).where(and(eq(balanceSnapshots.userId, s.userId), eq(balanceSnapshots.date, "2019-07-01")));
    await t.db.delete(manualValuations).where(eq(manualValuations.userId, s.userId));
    const after = await compareAll(s.userId, "EUR");
    expect(await overviewConverted(t.db, { userId: s.userId, base: "EUR", filters: AGG, today: TODAY })).not.toEqual(before);
    expect(after.length).toBeGreaterThan(300);

    // A sync page (the engine's apply, inside its own DB transaction): added, modified, removed.
    const [usd] = await t.db.select().from(financialAccounts).where(eq(financialAccounts.id, s.accounts[0]!.id));
    const tx = (id: string, date: string, amount: string): NormalizedTransaction => ({
      providerTransactionId: id,
      providerAccountId: usd!.providerAccountId,
      pending: false,
      date,
      amount,
      currency: "USD",
      description: "Synced",
      merchant: "Sync shop",
      category: "Food",
      raw: { id, amount },
    });
    await t.db.transaction(async (db) => {
      await applyTransactionPage(
        db,
        { userId: s.userId, accountIdByProvider: new Map([[usd!.providerAccountId, usd!.id]]), now: new Date() },
        { added: [tx("new-1", "2020-02-02", "-1234.5678"), tx("new-2", "2020-07-10", "-10.0001")], modified: [tx(`r16-100`, "2020-03-03", "-5.5555")], removed: [{ providerTransactionId: "r16-101" }], nextCursor: null, hasMore: false },
        emptyDiff(),
      );
    });
    await compareAll(s.userId, "EUR");

    // Another base currency: everything is recomputed in it.
    await t.db.update(users).set({ baseCurrency: "USD" }).where(eq(users.id, s.userId));
    await compareAll(s.userId, "USD");
    await compareAll(s.userId, "EUR");

    // New rates (after the last loaded day): the clamped July rows and days change.
    const julyBefore = await overviewConverted(t.db, { userId: s.userId, base: "EUR", filters: { from: "2020-07-01", ...AGG }, today: TODAY });
    await loadRates(t.db, [
      { date: "2020-07-01", currency: "USD", perEur: "1.5" },
      { date: "2020-07-01", currency: "GBP", perEur: "0.5" },
      { date: "2020-07-01", currency: "CHF", perEur: "2" },
    ]);
    await compareAll(s.userId, "EUR");
    expect(await overviewConverted(t.db, { userId: s.userId, base: "EUR", filters: { from: "2020-07-01", ...AGG }, today: TODAY })).not.toEqual(julyBefore);
    await compareAll(other.userId, "GBP");

    // Deleting a user (cascades through every marked table) leaves the others intact.
    await t.db.delete(users).where(eq(users.id, s.userId));
    await compareAll(other.userId, "GBP");
    const left = rowsOf<{ n: number }>(await t.db.execute(sql`select count(*)::int as n from overview_monthly where user_id = ${s.userId}`));
    expect(Number(left[0]!.n)).toBe(0);
  }, 300_000); // ~40 full scans of 2×1200 rows in both views: minutes on a loaded machine

  it("a writer only marks: the next read recomputes just the marked month", async () => {
    const s = await scenario(7);
    await overviewConverted(t.db, { userId: s.userId, base: "EUR", filters: AGG, today: TODAY });
    const dirty = async () => rowsOf<{ month: string }>(await t.db.execute(sql`select month::text as month from aggregate_dirty where user_id = ${s.userId}`)).map((x) => x.month);
    expect(await dirty()).toEqual([]);
    const [one] = await t.db.select({ id: transactions.id }).from(transactions).where(and(eq(transactions.userId, s.userId), eq(transactions.date, "2019-11-05"))).limit(1);
    if (one) await t.db.update(transactions).set({ category: "X" }).where(eq(transactions.id, one.id));
    else await t.db.insert(transactions).values({ userId: s.userId, accountId: s.accounts[0]!.id, providerTransactionId: "x", date: "2019-11-05", amount: "-1", currency: "USD", description: "x" });
    expect(await dirty()).toEqual(["2019-11-01"]);
    await overviewConverted(t.db, { userId: s.userId, base: "EUR", filters: AGG, today: TODAY });
    expect(await dirty()).toEqual([]);
  });
});
