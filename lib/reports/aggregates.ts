import { sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { addDays, addMonths, endOfMonth, startOfMonth } from "@/lib/dates";
import { convertSql, lastRateDay } from "@/lib/fx/sql";
import { fromUnits, toUnits } from "@/lib/money/decimal";
import { netWorthDailySql } from "@/lib/wealth/net-worth";

/**
 * Maintained aggregates behind the converted Overview and the net-worth series.
 *
 * - overview_monthly: per user and month, the Overview's sums (cash in/out, spending by
 *   category and merchant, fees, rows without a rate) of amounts each converted at its
 *   own date's rate and rounded per amount (lib/fx rule) BEFORE summing. Sums of sums
 *   are therefore exactly the sums a full scan gives: the rounding rule is unchanged.
 * - net_worth_days: the daily net worth (lib/wealth/net-worth.ts SQL), per user and day.
 *
 * Writers never compute them: triggers (db/triggers.ts) mark stale months/days in the
 * writer's own transaction (the sync's page commit included); rate loads mark what they
 * change (markRatesChanged). A reader recomputes only the marked part (refreshAggregates),
 * with the same SQL a scan uses. A partial first/last month is scanned live.
 */

type Range = { from?: string; to?: string };

/** The Overview's per-month sums over the user's live rows dated in `range` (same rules as overview-converted.ts). */
export function monthlyRowsSql(userId: string, base: string, where: SQL): SQL {
  const v = convertSql(sql`tx.amount`, sql`tx.currency`, sql`fr.per_eur`, sql`tr.per_eur`, base);
  return sql`(
    with t as (
      select date_trunc('month', tx.date)::date as month, tx.amount, tx.category, coalesce(tx.merchant, tx.description) as merchant,
             case when coalesce(tx.type, '') = 'transfer' then 't:' else '' end as p,
             tx.category is not distinct from 'Fees' as fee,
             not tx.excluded as cnt,
             (tx.currency = ${base} or (fr.per_eur is not null and tr.per_eur is not null)) as ok,
             ${v} as v
      from transactions tx
      left join fx_daily fr on fr.currency = tx.currency and fr.day = least(tx.date, ${lastRateDay})
      -- One index lookup per row (memoized per day), never a hash of the base currency's whole history.
      left join lateral (select b.per_eur from fx_daily b where b.currency = ${base} and b.day = least(tx.date, ${lastRateDay}) limit 1) tr on true
      where tx.user_id = ${userId} and tx.deleted_at is null and ${where}
    )
    -- Transfer rows are kept apart under 't:' + dim: a view that leaves transfers out skips them, one that keeps them adds them.
    select month, p || 'months' as dim, '' as key, 0::numeric as amount, count(*)::int as n from t where cnt group by month, p
    union all select month, p || 'in', '', sum(v), count(*)::int from t where cnt and amount > 0 and ok group by month, p
    union all select month, p || 'out', '', sum(v), count(*)::int from t where cnt and amount < 0 and ok group by month, p
    union all select month, p || 'category', coalesce(category, 'Uncategorised'), sum(v), count(*)::int from t where cnt and amount < 0 and ok group by month, p, 3
    union all select month, p || 'merchant', merchant, sum(v), count(*)::int from t where cnt and amount < 0 and ok group by month, p, 3
    union all select month, p || 'fee', '', sum(v), count(*)::int from t where cnt and fee and amount < 0 and ok group by month, p
    union all select month, p || 'unconverted', '', 0, count(*)::int from t where not ok group by month, p
  )`;
}

const FAR_PAST = "0001-01-01";
/** Dims also kept per year and all time (category and merchant sums over ten years would otherwise read ~40k rows). */
const ROLLED_DIMS = ["category", "merchant", "fee", "unconverted"];
const FLOW_DIMS = ["months", "in", "out"];
/** The dims a view reads: transfer rows ('t:' + dim) too when it keeps transfers. */
const dimList = (dims: string[], transfers: boolean, prefix = "") =>
  sql`(${sql.join((transfers ? [...dims, ...dims.map((d) => `t:${d}`)] : dims).map((d) => sql`${prefix + d}`), sql`, `)})`;
const ROLLED = dimList(ROLLED_DIMS, true);

/**
 * Bring the user's aggregates up to date for `base` and `today`: recompute the months
 * and the days marked stale (all of them when the base currency changed). Cheap when
 * nothing is marked: one read.
 */
export async function refreshAggregates(db: Db, { userId, base, today }: { userId: string; base: string; today: string }): Promise<void> {
  const [quick] = rowsOf<{ fresh: boolean }>(
    await db.execute(sql`
      select (s.base = ${base} and s.nw_dirty_from is null and s.nw_through >= ${today}::date
              and not exists (select 1 from aggregate_dirty d where d.user_id = ${userId})) as fresh
      from aggregate_state s where s.user_id = ${userId}`),
  );
  if (quick?.fresh === true) return;
  await db.transaction(async (tx) => {
    await tx.execute(sql`insert into aggregate_state (user_id) values (${userId}) on conflict do nothing`);
    // The row lock orders us after any writer still holding it, and writers after us.
    const [state] = rowsOf<{ base: string | null; nw_through: string | null; nw_dirty_from: string | null }>(
      await tx.execute(sql`select base, nw_through::text as nw_through, nw_dirty_from::text as nw_dirty_from
                           from aggregate_state where user_id = ${userId} for update`),
    );
    let through = state?.nw_through ?? null;
    let dirtyFrom = state?.nw_dirty_from ?? null;
    if (state?.base !== base) {
      await tx.execute(sql`delete from overview_monthly where user_id = ${userId}`);
      await tx.execute(sql`delete from net_worth_days where user_id = ${userId}`);
      await tx.execute(sql`
        insert into aggregate_dirty (user_id, month)
        select distinct ${userId}::uuid, date_trunc('month', date)::date from transactions where user_id = ${userId}
        on conflict do nothing`);
      through = null;
      dirtyFrom = FAR_PAST;
    }

    const months = rowsOf<{ month: string }>(await tx.execute(sql`delete from aggregate_dirty where user_id = ${userId} returning month::text as month`)).map((r) => r.month);
    if (months.length) {
      const list = sql.join(months.map((m) => sql`${m}::date`), sql`, `);
      const lo = months.reduce((a, b) => (a < b ? a : b));
      const hi = months.reduce((a, b) => (a > b ? a : b));
      await tx.execute(sql`delete from overview_monthly where user_id = ${userId} and month in (${list})`);
      await tx.execute(sql`
        insert into overview_monthly (user_id, month, dim, key, amount, n)
        select ${userId}, month, dim, key, coalesce(amount, 0), n from ${monthlyRowsSql(
          userId,
          base,
          sql`tx.date >= ${lo}::date and tx.date < ${hi}::date + interval '1 month' and date_trunc('month', tx.date)::date in (${list})`,
        )} m`);
      // Yearly rows ('y:' + dim) of the dims an all-time view sums over many months.
      const years = [...new Set(months.map((m) => `${m.slice(0, 4)}-01-01`))];
      const ylist = sql.join(years.map((y) => sql`${y}::date`), sql`, `);
      await tx.execute(sql`delete from overview_monthly where user_id = ${userId} and dim in ${dimList(ROLLED_DIMS, true, "y:")} and month in (${ylist})`);
      await tx.execute(sql`
        insert into overview_monthly (user_id, month, dim, key, amount, n)
        select user_id, date_trunc('year', month)::date, 'y:' || dim, key, sum(amount), sum(n)::int from overview_monthly
        where user_id = ${userId} and dim in ${ROLLED} and date_trunc('year', month)::date in (${ylist})
        group by 1, 2, 3, 4`);
      // And all-time rows ('a:' + dim, month 0001-01-01) from the yearly ones: an all-time view reads a few hundred rows.
      await tx.execute(sql`delete from overview_monthly where user_id = ${userId} and dim in ${dimList(ROLLED_DIMS, true, "a:")}`);
      await tx.execute(sql`
        insert into overview_monthly (user_id, month, dim, key, amount, n)
        select user_id, ${FAR_PAST}::date, 'a:' || substr(dim, 3), key, sum(amount), sum(n)::int from overview_monthly
        where user_id = ${userId} and dim in ${dimList(ROLLED_DIMS, true, "y:")}
        group by 1, 2, 3, 4`);
    }

    // Net worth: from the earliest stale day (or the day after the last computed one) to today.
    let from: string | null = dirtyFrom;
    if (through && through < today) {
      const next = addDays(through, 1);
      from = from === null || next < from ? next : from;
    }
    if (from !== null) {
      const to = through && through > today ? through : today;
      await tx.execute(sql`delete from net_worth_days where user_id = ${userId} and day >= ${from}::date`);
      const [first] = rowsOf<{ d: string | null }>(
        await tx.execute(sql`select least((select min(date) from balance_snapshots where user_id = ${userId}),
                                          (select min(date) from manual_valuations where user_id = ${userId}),
                                          (select min(date) from manual_transactions where user_id = ${userId}))::text as d`),
      );
      const start = first?.d ? (first.d > from ? first.d : from) : null;
      if (start && start <= to)
        await tx.execute(sql`
          insert into net_worth_days (user_id, day, total, unconverted)
          select ${userId}, day::date, total::numeric, unconverted from (${netWorthDailySql({ userId, base, from: start, to })}) n`);
      through = to;
    }
    await tx.execute(sql`update aggregate_state set base = ${base}, nw_through = ${through}, nw_dirty_from = null where user_id = ${userId}`);
  });
}

/** Rates changed from `from` on (a load refills fx_daily from 10 days before it): every user's affected months and days are stale. */
export async function markRatesChanged(db: Db, from: string): Promise<void> {
  await db.execute(sql`
    insert into aggregate_dirty (user_id, month)
    select distinct t.user_id, date_trunc('month', t.date)::date from transactions t
    where t.date >= ${from}::date - 10 and exists (select 1 from aggregate_state s where s.user_id = t.user_id)
    on conflict do nothing`);
  await db.execute(sql`update aggregate_state set nw_dirty_from = least(nw_dirty_from, ${from}::date - 10)`);
}


/**
 * The Overview's transaction figures for dates in [from, to] from the aggregates: whole
 * months from overview_monthly, a partial first or last month scanned live; transfers
 * between own accounts kept (`transfers`) or left out. Call refreshAggregates first.
 */
export async function overviewFromAggregates(db: Db, { userId, base, from: askedFrom, to: askedTo, transfers }: { userId: string; base: string; transfers: boolean } & Range) {
  // A bound outside the user's rows selects nothing more than no bound (the "All time" link starts at the first activity).
  const [span] = rowsOf<{ lo: string | null; hi: string | null }>(
    await db.execute(sql`select min(date)::text as lo, max(date)::text as hi from transactions where user_id = ${userId} and deleted_at is null`),
  );
  const from = askedFrom && span?.lo && askedFrom <= span.lo ? undefined : askedFrom;
  const to = askedTo && span?.hi && askedTo >= span.hi ? undefined : askedTo;
  // Whole months inside the range come from the table; the rest is scanned.
  const firstFull = from ? (from === startOfMonth(from) ? from : addMonths(startOfMonth(from), 1)) : null;
  const lastFull = to ? (to === endOfMonth(to) ? startOfMonth(to) : addMonths(startOfMonth(to), -1)) : null;
  const parts: SQL[] = [];
  const noWholeMonth = firstFull !== null && lastFull !== null && firstFull > lastFull;
  if (noWholeMonth) {
    parts.push(sql`select * from ${monthlyRowsSql(userId, base, sql`tx.date >= ${from}::date and tx.date <= ${to}::date`)} a`);
  } else if (!from && !to) {
    // All time: every month's cash flow, the all-time rows of the rest.
    parts.push(sql`select month, dim, key, amount, n from overview_monthly where user_id = ${userId} and dim in ${dimList(FLOW_DIMS, transfers)}`);
    parts.push(sql`select month, substr(dim, 3), key, amount, n from overview_monthly where user_id = ${userId} and dim in ${dimList(ROLLED_DIMS, transfers, "a:")}`);
  } else {
    // Whole years inside the whole months read their yearly rows (rolled dims only).
    const fy = firstFull === null ? null : firstFull.slice(5, 7) === "01" ? firstFull : `${Number(firstFull.slice(0, 4)) + 1}-01-01`;
    const ly = lastFull === null ? null : lastFull.slice(5, 7) === "12" ? `${lastFull.slice(0, 4)}-01-01` : `${Number(lastFull.slice(0, 4)) - 1}-01-01`;
    const years = fy === null || ly === null || fy <= ly;
    const inYears = sql`(${fy ? sql`month >= ${fy}::date` : sql`true`} and ${ly ? sql`month < ${`${Number(ly.slice(0, 4)) + 1}-01-01`}::date` : sql`true`})`;
    const monthRange = sql`${firstFull ? sql`and month >= ${firstFull}::date` : sql``} ${lastFull ? sql`and month <= ${lastFull}::date` : sql``}`;
    // Index ranges on (user_id, dim, month): the cash-flow months, rolled dims outside whole years, yearly rows.
    parts.push(sql`select month, dim, key, amount, n from overview_monthly where user_id = ${userId} and dim in ${dimList(FLOW_DIMS, transfers)} ${monthRange}`);
    parts.push(sql`select month, dim, key, amount, n from overview_monthly where user_id = ${userId} and dim in ${dimList(ROLLED_DIMS, transfers)} ${monthRange}
      ${years ? sql`and not ${inYears}` : sql``}`);
    if (years)
      parts.push(sql`select month, substr(dim, 3), key, amount, n from overview_monthly where user_id = ${userId} and dim in ${dimList(ROLLED_DIMS, transfers, "y:")} and ${inYears}`);
    if (from && firstFull !== from) parts.push(sql`select * from ${monthlyRowsSql(userId, base, sql`tx.date >= ${from}::date and tx.date < ${firstFull}::date`)} b`);
    if (to && lastFull !== startOfMonth(to)) parts.push(sql`select * from ${monthlyRowsSql(userId, base, sql`tx.date >= ${startOfMonth(to)}::date and tx.date <= ${to}::date`)} c`);
  }
  const rows = rowsOf<{ dim: string; key: string; month: string | null; amount: string; n: number }>(
    await db.execute(sql`
      select d as dim, key, case when d in ('months', 'in', 'out') then to_char(month, 'YYYY-MM') end as month,
             coalesce(sum(amount), 0)::numeric(19,4)::text as amount, sum(n)::int as n
      from (select case when dim like 't:%' then substr(dim, 3) else dim end as d, key, month, amount, n
            from (${sql.join(parts, sql` union all `)}) r0 ${transfers ? sql`` : sql`where dim not like 't:%'`}) r
      group by 1, 2, 3`),
  );
  const u = (s: string) => toUnits(s, 4);
  const neg = (s: string) => fromUnits(-u(s), 4);
  const byMonth = new Map<string, { moneyIn: bigint; moneyOut: bigint }>();
  const cats: { key: string; v: bigint; n: number }[] = [];
  const merch: { key: string; v: bigint; n: number }[] = [];
  let fee: { v: bigint; n: number } | null = null;
  let unconverted = 0;
  for (const r of rows) {
    const n = Number(r.n);
    if (r.dim === "months" && n > 0) byMonth.set(r.month!, byMonth.get(r.month!) ?? { moneyIn: 0n, moneyOut: 0n });
    else if (r.dim === "in" || r.dim === "out") {
      const m = byMonth.get(r.month!) ?? { moneyIn: 0n, moneyOut: 0n };
      if (r.dim === "in") m.moneyIn += u(r.amount);
      else m.moneyOut += u(r.amount);
      byMonth.set(r.month!, m);
    } else if (r.dim === "category") cats.push({ key: r.key, v: u(r.amount), n });
    else if (r.dim === "merchant") merch.push({ key: r.key, v: u(r.amount), n });
    else if (r.dim === "fee" && n > 0) fee = { v: u(r.amount), n };
    else if (r.dim === "unconverted") unconverted += n;
  }
  const top = (xs: typeof cats) => xs.sort((a, b) => (a.v < b.v ? -1 : a.v > b.v ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).slice(0, 10);
  return {
    cashflow: [...byMonth.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([month, m]) => ({ month, moneyIn: fromUnits(m.moneyIn, 4), moneyOut: neg(fromUnits(m.moneyOut, 4)), currency: base })),
    categories: top(cats).map((c) => ({ category: c.key, spent: neg(fromUnits(c.v, 4)), currency: base })),
    merchants: top(merch).map((c) => ({ merchant: c.key, spent: neg(fromUnits(c.v, 4)), count: c.n, currency: base })),
    fees: fee ? [{ total: neg(fromUnits(fee.v, 4)), count: fee.n, currency: base }] : [],
    unconverted,
  };
}

/** Daily net worth in `base` over [from, to] from net_worth_days (call refreshAggregates first). */
export async function netWorthFromAggregates(db: Db, { userId, from, to }: { userId: string; from: string; to: string }) {
  const rows = rowsOf<{ date: string; total: string; unconverted: number }>(
    await db.execute(sql`select day::text as date, total::text as total, unconverted from net_worth_days
                         where user_id = ${userId} and day >= ${from}::date and day <= ${to}::date order by day`),
  );
  return rows.map((r) => ({ date: String(r.date), total: String(r.total), unconverted: Number(r.unconverted) }));
}
