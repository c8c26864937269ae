import { and, eq, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { fxDaily, transactions } from "@/db/schema";
import { convertSql, lastRateDay } from "@/lib/fx/sql";
import type { TransactionFilters } from "@/lib/transactions/filters";
import { whereForFilters } from "@/lib/transactions/query";
import { bucketSql, counted, type BucketUnit } from "./overview";
import { netWorthDaily } from "@/lib/wealth/net-worth";
import { netWorthFromAggregates, overviewFromAggregates, refreshAggregates } from "./aggregates";

/**
 * The Overview's aggregations with every amount converted into `base` at the ECB rate
 * of the transaction's own date (lib/fx rounding rule per row, then summed — all in
 * SQL). Rows whose currency has no rate that day are counted in `unconverted`, never
 * added as zero. Same shapes as lib/reports/overview.ts, with currency = base.
 */

type Scope = { userId: string; base: string; filters: Partial<TransactionFilters> };

const fr = alias(fxDaily, "fx_from");
const tr = alias(fxDaily, "fx_to");

function converted(base: string): SQL {
  return convertSql(sql`${transactions.amount}`, sql`${transactions.currency}`, sql`${fr.perEur}`, sql`${tr.perEur}`, base);
}
/** A row counts when it is in base or both rates exist. */
function hasRate(base: string): SQL {
  return sql`(${transactions.currency} = ${base} or (${fr.perEur} is not null and ${tr.perEur} is not null))`;
}

function fromWithRates(db: Db, base: string) {
  return <T extends Record<string, unknown>>(fields: T) =>
    db
      .select(fields as never)
      .from(transactions)
      .leftJoin(fr, and(eq(fr.currency, transactions.currency), eq(fr.day, sql`least(${transactions.date}, ${lastRateDay})`)))
      .leftJoin(tr, and(eq(tr.currency, base), eq(tr.day, sql`least(${transactions.date}, ${lastRateDay})`)));
}

export async function cashflowByBucketConverted(db: Db, { userId, base, filters }: Scope, unit: BucketUnit = "month") {
  const bucket = bucketSql(unit);
  const v = converted(base);
  const rows = (await fromWithRates(db, base)({
    bucket: sql<string>`${bucket}::text`,
    moneyIn: sql<string>`coalesce(sum(${v}) filter (where ${transactions.amount} > 0 and ${hasRate(base)}), 0)::numeric(19,4)::text`,
    moneyOut: sql<string>`coalesce(-sum(${v}) filter (where ${transactions.amount} < 0 and ${hasRate(base)}), 0)::numeric(19,4)::text`,
  })
    .where(and(whereForFilters(userId, filters), counted))
    .groupBy(bucket)
    .orderBy(bucket)) as unknown as { bucket: string; moneyIn: string; moneyOut: string }[];
  return rows.map((r) => ({ ...r, currency: base }));
}

export async function spendingByCategoryConverted(db: Db, { userId, base, filters }: Scope, limit = 10) {
  const cat = sql<string>`coalesce(${transactions.category}, 'Uncategorised')`;
  const v = converted(base);
  const rows = (await fromWithRates(db, base)({ category: cat, spent: sql<string>`(-sum(${v}))::numeric(19,4)::text` })
    .where(and(whereForFilters(userId, filters), counted, sql`${transactions.amount} < 0`, hasRate(base)))
    .groupBy(cat)
    .orderBy(sql`sum(${v})`, cat)
    .limit(limit)) as unknown as { category: string; spent: string }[];
  return rows.map((r) => ({ ...r, currency: base }));
}

export async function topMerchantsConverted(db: Db, { userId, base, filters }: Scope, limit = 10) {
  const name = sql<string>`coalesce(${transactions.merchant}, ${transactions.description})`;
  const v = converted(base);
  const rows = (await fromWithRates(db, base)({ merchant: name, spent: sql<string>`(-sum(${v}))::numeric(19,4)::text`, count: sql<number>`count(*)::int` })
    .where(and(whereForFilters(userId, filters), counted, sql`${transactions.amount} < 0`, hasRate(base)))
    .groupBy(name)
    .orderBy(sql`sum(${v})`, name)
    .limit(limit)) as unknown as { merchant: string; spent: string; count: number }[];
  return rows.map((r) => ({ ...r, currency: base }));
}

export async function feesPaidConverted(db: Db, { userId, base, filters }: Scope) {
  const v = converted(base);
  const rows = (await fromWithRates(db, base)({ total: sql<string>`(-sum(${v}))::numeric(19,4)::text`, count: sql<number>`count(*)::int` })
    .where(and(whereForFilters(userId, filters), counted, sql`${transactions.amount} < 0`, eq(transactions.category, "Fees"), hasRate(base)))) as unknown as {
    total: string | null;
    count: number;
  }[];
  return rows.filter((r) => r.count > 0).map((r) => ({ total: r.total ?? "0", count: r.count, currency: base }));
}

/** Rows left out because their currency had no rate on their date. */
export async function unconvertedCount(db: Db, { userId, base, filters }: Scope): Promise<number> {
  const [row] = (await fromWithRates(db, base)({ n: sql<number>`count(*)::int` }).where(
    and(whereForFilters(userId, filters), sql`not ${hasRate(base)}`),
  )) as unknown as { n: number }[];
  return row?.n ?? 0;
}

/**
 * Filters the maintained aggregates answer with exactly the scan's figures, by month: a date
 * range, with transfers between own accounts kept or left out (`exclude_type=transfer`, the
 * Overview's default); rows the user excluded are left out either way, as the table's totals
 * do. Anything else is scanned. Answers how transfers are treated, or null.
 */
export function aggregatable(f: Partial<TransactionFilters>, unit: BucketUnit = "month"): { transfers: boolean } | null {
  if (unit !== "month") return null;
  const ex = f.exclude_type ?? [];
  if (!(ex.length === 0 || (ex.length === 1 && ex[0] === "transfer"))) return null;
  const ok = Object.entries(f).every(
    ([k, v]) =>
      v === undefined || k === "from" || k === "to" || k === "exclude_type" || (k === "pending" && v === "include") || ["sort", "order", "limit", "cursor"].includes(k) || (Array.isArray(v) && v.length === 0),
  );
  return ok ? { transfers: ex.length === 0 } : null;
}

export async function overviewConverted(db: Db, scope: Scope & { today: string; unit?: BucketUnit }) {
  const { userId, base, filters } = scope;
  const mode = aggregatable(filters, scope.unit);
  if (!mode) return overviewConvertedScan(db, scope);
  const horizon = filters.to && filters.to > scope.today ? filters.to : scope.today;
  await refreshAggregates(db, { userId, base, today: horizon });
  const [first] = rowsOf<{ d: string | null }>(
    await db.execute(sql`select least((select min(date) from balance_snapshots where user_id = ${userId}),
                                      (select min(date) from manual_valuations where user_id = ${userId}))::text as d`),
  );
  const from = filters.from ?? first?.d ?? scope.today;
  const [netWorth, figures] = await Promise.all([
    netWorthFromAggregates(db, { userId, from, to: filters.to ?? scope.today }),
    overviewFromAggregates(db, { userId, base, from: filters.from, to: filters.to, transfers: mode.transfers }),
  ]);
  return {
    netWorth: netWorth.map((p) => ({ date: p.date, currency: base, total: p.total })),
    ...figures,
    cashflow: figures.cashflow.map(({ month, ...r }) => ({ bucket: `${month}-01`, ...r })),
  };
}

/** The same figures by scanning every row (any filter; the reference the aggregates are tested against). */
export async function overviewConvertedScan(db: Db, scope: Scope & { today: string; unit?: BucketUnit }) {
  const [first] = rowsOf<{ d: string | null }>(
    await db.execute(sql`select least((select min(date) from balance_snapshots where user_id = ${scope.userId}),
                                      (select min(date) from manual_valuations where user_id = ${scope.userId}))::text as d`),
  );
  const from = scope.filters.from ?? first?.d ?? scope.today;
  const [netWorth, cashflow, categories, merchants, fees, unconverted] = await Promise.all([
    netWorthDaily(db, { userId: scope.userId, base: scope.base, from, to: scope.filters.to ?? scope.today }),
    cashflowByBucketConverted(db, scope, scope.unit),
    spendingByCategoryConverted(db, scope),
    topMerchantsConverted(db, scope),
    feesPaidConverted(db, scope),
    unconvertedCount(db, scope),
  ]);
  return {
    netWorth: netWorth.map((p) => ({ date: p.date, currency: scope.base, total: p.total })),
    cashflow,
    categories,
    merchants,
    fees,
    unconverted,
  };
}
