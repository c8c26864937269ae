import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { markRatesChanged } from "@/lib/reports/aggregates";
import { convertAmount, crossRate } from "./convert";
import { parseEcbCsv, type EcbRate } from "./ecb";

/** The ECB history shipped with the product (Source: ECB statistics; see db/seed/fx/README.md). */
export const ECB_SEED_FILE = path.join(process.cwd(), "db", "seed", "fx", "ecb_eurofxref-hist.csv");
export const FX_SOURCE_LABEL = "Source: ECB statistics";

/** Longest gap a published rate is carried across inside the history (weekends + holidays). */
const MAX_CARRY_DAYS = 6;

function rows(result: unknown): Record<string, unknown>[] {
  return ((result as { rows?: unknown[] }).rows ?? (result as unknown[])) as Record<string, unknown>[];
}

/**
 * Upsert published rates (EUR = 1 added for every published day), then rebuild the
 * calendar-day table from the earliest loaded day on. Safe to run twice.
 */
export async function loadRates(db: Db, rates: readonly EcbRate[], source = "ECB"): Promise<number> {
  if (rates.length === 0) return 0;
  const all = [...rates];
  for (const d of new Set(rates.map((r) => r.date))) all.push({ date: d, currency: "EUR", perEur: "1" });
  for (const r of all)
    if (!/^\d{4}-\d{2}-\d{2}$/.test(r.date) || !/^[A-Z]{3}$/.test(r.currency) || !/^\d+(\.\d+)?$/.test(r.perEur)) throw new Error(`invalid rate row ${JSON.stringify(r)}`);
  // One jsonb parameter per chunk, expanded by Postgres: far cheaper than bind parameters or literals.
  for (let i = 0; i < all.length; i += 50_000) {
    const payload = JSON.stringify(all.slice(i, i + 50_000).map((r) => ({ c: r.currency, d: r.date, r: r.perEur })));
    await db.execute(sql`
      insert into fx_rates (currency, date, per_eur, source)
      select x.c, x.d, x.r, ${source} from jsonb_to_recordset(${payload}::jsonb) as x(c text, d date, r numeric)
      on conflict (currency, date) do update set per_eur = excluded.per_eur, source = excluded.source`);
  }
  const from = all.reduce((m, r) => (r.date < m ? r.date : m), all[0]!.date);
  await rebuildDaily(db, from);
  // Converted sums and net worth from 10 days before `from` on (carried and clamped rates) are stale.
  await markRatesChanged(db, from);
  return rates.length;
}

/** Fill fx_daily (every calendar day → the latest published rate, at most MAX_CARRY_DAYS back) from `from`. */
export async function rebuildDaily(db: Db, from: string): Promise<void> {
  // Refill from 10 days before `from` (so the gap just before it is refilled too), reading
  // published days from 20 days before (a rate carries at most MAX_CARRY_DAYS).
  await db.execute(sql`delete from fx_daily where day >= ${from}::date - 10`);
  await db.execute(sql`
    with r as (
      select currency, date, per_eur, lead(date) over (partition by currency order by date) as next
      from fx_rates where date >= ${from}::date - 20
    )
    insert into fx_daily (currency, day, per_eur, rate_date)
    select r.currency, d::date, r.per_eur, r.date
    from r cross join lateral generate_series(
      r.date,
      least(coalesce(r.next - 1, r.date), r.date + ${MAX_CARRY_DAYS}::int),
      interval '1 day') d
    where d >= ${from}::date - 10`);
}

/** Load the shipped ECB history (optionally only a date range, for quick tests). Returns rows loaded. */
export async function seedEcbHistory(db: Db, opts: { from?: string; to?: string; file?: string } = {}): Promise<number> {
  const text = fs.readFileSync(opts.file ?? ECB_SEED_FILE, "utf8");
  const rates = parseEcbCsv(text).filter((r) => (!opts.from || r.date >= opts.from) && (!opts.to || r.date <= opts.to));
  return loadRates(db, rates);
}

/** Seed the history once (when its first year is not stored: a refresh job may have loaded recent days first). */
export async function ensureRatesSeeded(db: Db): Promise<void> {
  const [row] = rows(await db.execute(sql`select exists(select 1 from fx_rates where date < '2000-01-01') as seeded`));
  if (!row?.seeded) await seedEcbHistory(db);
}

export type RateOn = {
  currency: string;
  perEur: string;
  /** The published day the rate is from (the previous business day on weekends/holidays). */
  rateDate: string;
  /** True when the asked day is after the last published day (the last known rate carried forward). */
  stale: boolean;
};

/** The rate for `currency` on calendar day `day`, or null when the ECB has no rate for it then. */
export async function rateOn(db: Db, currency: string, day: string): Promise<RateOn | null> {
  const [row] = rows(
    await db.execute(sql`
      with last as (select max(day) as d from fx_daily where currency = 'EUR')
      select f.per_eur::text as per_eur, f.rate_date::text as rate_date, ${day}::date > last.d as stale
      from fx_daily f, last
      where f.currency = ${currency} and f.day = least(${day}::date, last.d)`),
  );
  if (!row) return null;
  return { currency, perEur: String(row.per_eur), rateDate: String(row.rate_date), stale: row.stale === true || row.stale === "t" };
}

export type Conversion =
  | { status: "ok"; amount: string; currency: string; rate: string; rateDate: string; stale: boolean }
  | { status: "no_rate"; currency: string; day: string };

/** Convert one amount at the rate of its own day. Same currency → unchanged, rate 1. */
export async function convertOn(db: Db, amount: string, from: string, to: string, day: string): Promise<Conversion> {
  if (from === to) return { status: "ok", amount, currency: to, rate: "1", rateDate: day, stale: false };
  const [rf, rt] = await Promise.all([rateOn(db, from, day), rateOn(db, to, day)]);
  if (!rf) return { status: "no_rate", currency: from, day };
  if (!rt) return { status: "no_rate", currency: to, day };
  return {
    status: "ok",
    amount: convertAmount(amount, rf.perEur, rt.perEur, to),
    currency: to,
    rate: crossRate(rf.perEur, rt.perEur),
    rateDate: rf.rateDate < rt.rateDate ? rf.rateDate : rt.rateDate,
    stale: rf.stale || rt.stale,
  };
}

/** Last published day and the currencies quoted on it (for Settings and the "rate of …" note). */
export async function ratesStatus(db: Db): Promise<{ lastDate: string | null; currencies: string[] }> {
  const r = rows(
    await db.execute(sql`select currency, date::text as date from fx_rates where date = (select max(date) from fx_rates) order by currency`),
  );
  return { lastDate: r[0] ? String(r[0].date) : null, currencies: r.map((x) => String(x.currency)) };
}
