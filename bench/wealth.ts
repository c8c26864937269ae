import { sql } from "drizzle-orm";
import { connections, users } from "@/db/schema";
import { seedEcbHistory } from "@/lib/fx/rates";
import { overviewConverted } from "@/lib/reports/overview-converted";
import { netWorthReport, netWorthSeries } from "@/lib/wealth/net-worth";
import { benchDatabase, fmt, ms, percentile } from "./harness";

/**
 * Issue #16's measure: a user with 100k transactions in 3 currencies over 10 years
 * (daily balance snapshots on 3 linked accounts) and 5 manual assets valued monthly;
 * p95 of the converted Overview (all time and 1 year), the net-worth page report and the
 * 10-year daily net-worth series, base EUR, on PostgreSQL and PGlite.
 */
const TODAY = "2025-05-09";
const FROM = "2015-05-10";

async function timeIt(n: number, fn: () => Promise<unknown>) {
  await fn();
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    xs.push(ms(t0));
  }
  return { p50: percentile(xs, 50), p95: percentile(xs, 95) };
}

export async function benchWealth(kind: "pglite" | "postgres", n = 20) {
  const database = await benchDatabase(kind);
  const db = database.db;
  try {
    const t0 = performance.now();
    await seedEcbHistory(db);
    const seedMs = ms(t0);
    const [u] = await db.insert(users).values({ email: `w@bench`, passwordHash: "x", baseCurrency: "EUR" }).returning({ id: users.id });
    const userId = u!.id;
    const [c] = await db.insert(connections).values({ userId, connectorId: "demo", displayName: "Bench Bank", credentials: "unused", providerItemId: "bench" }).returning({ id: connections.id });
    await db.execute(sql`
      insert into financial_accounts (user_id, connection_id, provider_account_id, name, type, currency)
      values (${userId}, ${c!.id}, 'usd', 'USD checking', 'depository', 'USD'),
             (${userId}, ${c!.id}, 'eur', 'EUR savings', 'depository', 'EUR'),
             (${userId}, ${c!.id}, 'gbp', 'GBP card', 'credit', 'GBP')`);
    // 100k transactions over 10 years, a third per account/currency, deterministic amounts.
    await db.execute(sql`
      insert into transactions (user_id, account_id, provider_transaction_id, date, amount, currency, description, merchant, category, type)
      select ${userId}, a.id, 'tx' || g, ${FROM}::date + (g % 3652), ((g * 7919) % 20000 - 15000) / 100.0, a.currency,
             'Bench ' || (g % 300), 'Merchant ' || (g % 300), 'Cat ' || (g % 12), case when g % 97 = 0 then 'fee' else 'card' end
      from generate_series(1, 100000) g
      join financial_accounts a on a.user_id = ${userId} and a.provider_account_id = (array['usd','eur','gbp'])[1 + g % 3]`);
    await db.execute(sql`
      insert into balance_snapshots (account_id, user_id, date, current, currency, derived)
      select a.id, ${userId}, d::date, 1000 + (extract(doy from d)::int * 13) % 5000, a.currency, true
      from financial_accounts a cross join generate_series(${FROM}::date, ${TODAY}::date, interval '1 day') d
      where a.user_id = ${userId}`);
    await db.execute(sql`
      insert into manual_accounts (user_id, name, kind, currency)
      values (${userId}, 'House', 'property', 'EUR'), (${userId}, 'Mortgage', 'mortgage', 'EUR'), (${userId}, 'Car', 'vehicle', 'CHF'),
             (${userId}, 'BTC', 'crypto', 'USD'), (${userId}, 'Wallet', 'cash', 'GBP')`);
    await db.execute(sql`
      insert into manual_valuations (user_id, account_id, date, value)
      select ${userId}, m.id, d::date, 10000 + extract(month from d)::int * 100
      from manual_accounts m cross join generate_series(${FROM}::date, ${TODAY}::date, interval '1 month') d
      where m.user_id = ${userId}`);
    await db.execute(sql`analyze`);

    // First view after the import builds the aggregates (once); then a day's sync marks one month.
    let t1 = performance.now();
    await overviewConverted(db, { userId, base: "EUR", filters: {}, today: TODAY });
    const buildMs = ms(t1);
    await db.execute(sql`
      insert into transactions (user_id, account_id, provider_transaction_id, date, amount, currency, description, merchant, category, type)
      select ${userId}, a.id, 'new' || g, ${TODAY}::date, -g, a.currency, 'New', 'Merchant ' || g, 'Cat 1', 'card'
      from generate_series(1, 30) g join financial_accounts a on a.user_id = ${userId} and a.provider_account_id = 'usd'`);
    await db.execute(sql`update balance_snapshots set current = current + 1 where user_id = ${userId} and date = ${TODAY}`);
    t1 = performance.now();
    await overviewConverted(db, { userId, base: "EUR", filters: {}, today: TODAY });
    const afterSyncMs = ms(t1);

    const ovAll = await timeIt(n, () => overviewConverted(db, { userId, base: "EUR", filters: {}, today: TODAY }));
    // The Overview's own "All time" link: from the first activity, transfers between own accounts left out.
    const ovAllUi = await timeIt(n, () => overviewConverted(db, { userId, base: "EUR", filters: { from: FROM, exclude_type: ["transfer"] }, today: TODAY }));
    const ov1y = await timeIt(n, () => overviewConverted(db, { userId, base: "EUR", filters: { from: "2024-05-10" }, today: TODAY }));
    const page = await timeIt(n, () => netWorthReport(db, { userId, base: "EUR", today: TODAY }));
    const series = await timeIt(n, () => netWorthSeries(db, { userId, base: "EUR", from: FROM, to: TODAY }));
    return { kind, seedMs, buildMs, afterSyncMs, ovAll, ovAllUi, ov1y, page, series };
  } finally {
    await database.close();
  }
}

export function printWealth(r: Awaited<ReturnType<typeof benchWealth>>) {
  const p = (v: { p50: number; p95: number }) => `p50 ${fmt(v.p50, 1)} ms, p95 ${fmt(v.p95, 1)} ms`;
  console.log(`wealth/${r.kind}: ECB history seed ${fmt(r.seedMs)} ms`);
  console.log(`wealth/${r.kind}: aggregates built on first view ${fmt(r.buildMs)} ms; first view after a day's sync (30 rows + balances) ${fmt(r.afterSyncMs, 1)} ms`);
  console.log(`wealth/${r.kind}: converted overview all time (100k tx, 3 currencies, 10 years, 5 manual assets): ${p(r.ovAll)} (target ≤ 50 ms on Postgres)`);
  console.log(`wealth/${r.kind}: converted overview all time, transfers left out (the page's "All time" link): ${p(r.ovAllUi)}`);
  console.log(`wealth/${r.kind}: converted overview 1 year: ${p(r.ov1y)}`);
  console.log(`wealth/${r.kind}: net worth page (1-year daily series + accounts on the day): ${p(r.page)}`);
  console.log(`wealth/${r.kind}: net worth 10-year daily series: ${p(r.series)}`);
}
