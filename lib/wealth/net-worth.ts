import { addDays, addMonths } from "@/lib/dates";
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { convertSql, lastRateDay } from "@/lib/fx/sql";
import { fromUnits, toUnits } from "@/lib/money/decimal";
import { netWorthFromAggregates, refreshAggregates } from "@/lib/reports/aggregates";
import { assetTypeOf, isLiabilityKind } from "./kinds";

/**
 * Net worth: every account (linked balances + manual valuations) valued every day,
 * carried forward from its last known value, converted into the base currency at the
 * rate of that day (lib/fx rounding rule: each account's value rounded to the cent, then
 * summed). Liabilities (linked credit/loan, manual loan/mortgage/other liability) count
 * negatively. An account with no rate for its currency on a day is left out of that
 * day's total and reported in `unconverted` — never counted as zero.
 */

type Range = { userId: string; base: string; from: string; to: string };

/** Per account and day: native value (signed) and the value in `base`, inside [from, to]. */
function accountDaysSql({ userId, base, from, to }: Range): SQL {
  return sql`
  with accts as (
    select 'L:' || fa.id::text as k, fa.id as id, 'linked' as source, fa.name, fa.type as kind, fa.currency,
           coalesce(i.name, c.display_name) as institution, fa.type in ('credit', 'loan') as liability, null::date as until
    from financial_accounts fa
    join connections c on c.id = fa.connection_id
    left join institutions i on i.id = c.institution_id
    where fa.user_id = ${userId} and fa.hidden = false
    union all
    select 'M:' || m.id::text, m.id, 'manual', m.name, m.kind, m.currency, m.institution,
           m.kind in ('loan', 'mortgage', 'other_liability'), (m.archived_at at time zone 'UTC')::date
    from manual_accounts m where m.user_id = ${userId}
  ),
  cash_events as (
    select account_id, date from manual_valuations where user_id = ${userId}
    union select account_id, date from manual_transactions where user_id = ${userId}
  ),
  -- points inside (from, to]
  pts as (
    select 'L:' || s.account_id::text as k, s.date, s.current as value
    from balance_snapshots s
    where s.user_id = ${userId} and s.current is not null and s.date > ${from}::date and s.date <= ${to}::date
    union all
    select 'M:' || v.account_id::text, v.date, v.value
    from manual_valuations v join manual_accounts m on m.id = v.account_id
    where v.user_id = ${userId} and m.kind <> 'cash' and v.date > ${from}::date and v.date <= ${to}::date
    union all
    -- a manual cash account: last valuation on or before the day + its transactions since
    select 'M:' || e.account_id::text, e.date,
      coalesce(lv.value, 0) + coalesce((select sum(t.amount) from manual_transactions t
        where t.account_id = e.account_id and t.date <= e.date and (lv.date is null or t.date > lv.date)), 0)
    from cash_events e join manual_accounts m on m.id = e.account_id and m.kind = 'cash'
    left join lateral (select v.date, v.value from manual_valuations v where v.account_id = e.account_id and v.date <= e.date
                       order by v.date desc limit 1) lv on true
    where e.date > ${from}::date and e.date <= ${to}::date
  ),
  -- each account's last point on or before \`from\` (index lookups, not a scan of its history)
  first_values as (
    select 'L:' || fa.id::text as k, s.current as value
    from financial_accounts fa
    cross join lateral (select b.current from balance_snapshots b where b.account_id = fa.id and b.current is not null and b.date <= ${from}::date
                        order by b.date desc limit 1) s
    where fa.user_id = ${userId} and fa.hidden = false
    union all
    select 'M:' || m.id::text, v.value
    from manual_accounts m
    cross join lateral (select x.value from manual_valuations x where x.account_id = m.id and x.date <= ${from}::date order by x.date desc limit 1) v
    where m.user_id = ${userId} and m.kind <> 'cash'
    union all
    select 'M:' || m.id::text,
      coalesce(lv.value, 0) + coalesce((select sum(t.amount) from manual_transactions t
        where t.account_id = m.id and t.date <= ${from}::date and (lv.date is null or t.date > lv.date)), 0)
    from manual_accounts m
    left join lateral (select v.date, v.value from manual_valuations v where v.account_id = m.id and v.date <= ${from}::date
                       order by v.date desc limit 1) lv on true
    where m.user_id = ${userId} and m.kind = 'cash' and exists (select 1 from cash_events e where e.account_id = m.id and e.date <= ${from}::date)
  ),
  win as (
    select k, date, value from pts
    union all
    select k, ${from}::date, value from first_values
  ),
  grid as (
    select a.k, d::date as day, w.value
    from accts a cross join generate_series(${from}::date, ${to}::date, interval '1 day') d
    left join win w on w.k = a.k and w.date = d::date
  ),
  filled as (select k, day, value, count(value) over (partition by k order by day) as grp from grid),
  cf as (select k, day, first_value(value) over (partition by k, grp order by day) as value from filled),
  last_day as (select ${lastRateDay} as d),
  valued as (
    select a.k, a.id, a.source, a.name, a.kind, a.currency, a.institution, cf.day,
           case when a.liability then -cf.value else cf.value end as native,
           fr.per_eur as from_rate, tr.per_eur as to_rate, greatest(fr.rate_date, tr.rate_date) as rate_date
    from cf join accts a on a.k = cf.k
    cross join last_day
    left join fx_daily fr on fr.currency = a.currency and fr.day = least(cf.day, last_day.d)
    left join fx_daily tr on tr.currency = ${base} and tr.day = least(cf.day, last_day.d)
    where cf.value is not null and (a.until is null or cf.day < a.until)
  )
  select *, case when currency = ${base} then native
                 when from_rate is null or to_rate is null then null
                 else ${convertSql(sql`native`, sql`currency`, sql`from_rate`, sql`to_rate`, base)} end as converted
  from valued`;
}

export type NetWorthPoint = { date: string; total: string; unconverted: number };

/** Daily net worth rows (date, total, unconverted) over [from, to], computed from the accounts. */
export function netWorthDailySql(range: Range): SQL {
  return sql`
    with x as (${accountDaysSql(range)})
    select day::text as date, day, coalesce(sum(converted), 0)::numeric(19,4)::text as total,
           count(*) filter (where converted is null)::int as unconverted
    from x group by day order by day`;
}

/** Daily net worth in `base` over [from, to], computed from the accounts (the reference; pages read netWorthSeries). */
export async function netWorthDaily(db: Db, range: Range): Promise<NetWorthPoint[]> {
  const res = await db.execute(netWorthDailySql(range));
  return rowsOf<{ date: string; total: string; unconverted: number }>(res).map((r) => ({
    date: String(r.date),
    total: fromUnits(toUnits(r.total), 4),
    unconverted: Number(r.unconverted),
  }));
}

export type AccountValue = {
  key: string;
  id: string;
  source: "linked" | "manual";
  name: string;
  kind: string;
  assetType: string;
  liability: boolean;
  currency: string;
  institution: string | null;
  native: string;
  converted: string | null;
  /** Cross rate (base per unit of the account's currency) and the published day it is from. */
  rate: string | null;
  rateDate: string | null;
};

/** Daily net worth in `base` over [from, to] from the maintained aggregate (same figures as netWorthDaily). */
export async function netWorthSeries(db: Db, range: Range & { today?: string }): Promise<NetWorthPoint[]> {
  const today = range.today ?? range.to;
  await refreshAggregates(db, { userId: range.userId, base: range.base, today: range.to > today ? range.to : today });
  return netWorthFromAggregates(db, range);
}

/** Every account's value on `day` (native and in `base`). */
export async function accountValuesOn(db: Db, { userId, base, day }: { userId: string; base: string; day: string }): Promise<AccountValue[]> {
  const res = await db.execute(sql`
    with x as (${accountDaysSql({ userId, base, from: day, to: day })})
    select k, id::text as id, source, name, kind, currency, institution, native::numeric(19,4)::text as native,
           converted::numeric(19,4)::text as converted,
           case when from_rate is null or to_rate is null then null
                else round(to_rate / from_rate, 6)::text end as rate, rate_date::text as rate_date
    from x order by name`);
  return rowsOf<Record<string, string | null>>(res).map((r) => {
    const source = r.source as "linked" | "manual";
    const kind = String(r.kind);
    const liability = source === "linked" ? kind === "credit" || kind === "loan" : isLiabilityKind(kind);
    return {
      key: String(r.k),
      id: String(r.id),
      source,
      name: String(r.name),
      kind,
      assetType: assetTypeOf(source, kind),
      liability,
      currency: String(r.currency),
      institution: r.institution ?? null,
      native: fromUnits(toUnits(String(r.native)), 4),
      converted: r.converted == null ? null : fromUnits(toUnits(r.converted), 4),
      rate: r.currency === base ? "1" : (r.rate ?? null),
      rateDate: r.currency === base ? null : (r.rate_date ?? null),
    };
  });
}

// ------------------------------------------------------------------ change and distribution (exact, in TS)

/** Exact units at numeric(19,4) scale. */
const cents = (s: string) => toUnits(s, 4);

export { addDays, addMonths };

export type Change = { from: string; start: string; end: string; change: string; percent: string | null };

/** Change between the series' value on `from` and its last day (percent of |start|, 2 decimals, half away from zero). */
export function changeSince(series: readonly NetWorthPoint[], from: string): Change | null {
  const end = series.at(-1);
  const start = [...series].reverse().find((p) => p.date <= from);
  if (!end || !start) return null;
  const a = cents(start.total);
  const b = cents(end.total);
  const diff = b - a;
  let percent: string | null = null;
  if (a !== 0n) {
    const abs = a < 0n ? -a : a;
    const n = diff * 10000n;
    const neg = n < 0n;
    const q = ((neg ? -n : n) * 2n + abs) / (2n * abs);
    percent = fromUnits(neg ? -q : q, 2);
  }
  return { from: start.date, start: start.total, end: end.total, change: fromUnits(diff, 4), percent };
}

export type Slice = { key: string; label: string; total: string };

/** Sum converted account values by a key (accounts with no rate are left out). */
export function distribute(values: readonly AccountValue[], keyOf: (v: AccountValue) => string, labelOf: (k: string) => string = (k) => k): Slice[] {
  const sums = new Map<string, bigint>();
  for (const v of values) {
    if (v.converted === null) continue;
    const k = keyOf(v);
    sums.set(k, (sums.get(k) ?? 0n) + cents(v.converted));
  }
  return [...sums.entries()]
    .sort((x, y) => (y[1] > x[1] ? 1 : y[1] < x[1] ? -1 : 0))
    .map(([key, total]) => ({ key, label: labelOf(key), total: fromUnits(total, 4) }));
}

export function totalOf(values: readonly AccountValue[]): string {
  let s = 0n;
  for (const v of values) if (v.converted !== null) s += cents(v.converted);
  return fromUnits(s, 4);
}

/** Everything the wealth page and the API show, for one user, up to `today`. */
export async function netWorthReport(db: Db, { userId, base, today, from }: { userId: string; base: string; today: string; from?: string }) {
  const seriesFrom = from ?? addMonths(today, -12);
  const [series, accounts] = await Promise.all([
    netWorthSeries(db, { userId, base, from: seriesFrom < addMonths(today, -12) ? seriesFrom : addMonths(today, -12), to: today }),
    accountValuesOn(db, { userId, base, day: today }),
  ]);
  const changes = {
    day: changeSince(series, addDays(today, -1)),
    month: changeSince(series, addMonths(today, -1)),
    year: changeSince(series, addMonths(today, -12)),
    ...(from ? { since: changeSince(series, from) } : {}),
  };
  return {
    base,
    date: today,
    total: totalOf(accounts),
    series: series.filter((p) => p.date >= seriesFrom),
    changes,
    accounts,
    unconverted: accounts.filter((a) => a.converted === null).map((a) => ({ name: a.name, currency: a.currency })),
  };
}
