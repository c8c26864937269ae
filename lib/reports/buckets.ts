import { addDays, addMonths, daysBetween, endOfMonth, startOfIsoWeek } from "@/lib/dates";
import { filtersToSearchParams, type TransactionFilters } from "@/lib/transactions/filters";

/**
 * How the Overview cuts a period into cash-flow buckets, and the drill-down link of each
 * chart element. Pure functions over calendar dates (YYYY-MM-DD, UTC arithmetic), shared
 * by the page, its tests and the SQL (`date_trunc(unit, date)`).
 *
 * A bucket's link is the Overview's own filter narrowed to the bucket's days (clipped to
 * the period), so the table it opens totals exactly what the chart drew.
 */
export type BucketUnit = "week" | "month" | "quarter";

/** Calendar months from `a` to `b` (fractional by days). */
function monthsBetween(a: string, b: string): number {
  return daysBetween(a, b) / (365.2425 / 12);
}

/** Weeks for up to 3 months, months for up to 2 years, quarters beyond. */
export function bucketUnitFor(from: string, to: string): BucketUnit {
  const months = monthsBetween(from, to);
  if (months <= 3.05) return "week";
  if (months <= 24.05) return "month";
  return "quarter";
}

/** Start of the bucket containing `iso` (ISO weeks start on Monday, as PostgreSQL's date_trunc('week')). */
export function bucketStart(unit: BucketUnit, iso: string): string {
  const y = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7));
  if (unit === "month") return `${iso.slice(0, 7)}-01`;
  if (unit === "quarter") return `${y}-${String(Math.floor((m - 1) / 3) * 3 + 1).padStart(2, "0")}-01`;
  return startOfIsoWeek(iso);
}

/** Last day of the bucket starting on `start`. */
export function bucketEnd(unit: BucketUnit, start: string): string {
  if (unit === "week") return addDays(start, 6);
  return endOfMonth(addMonths(start, unit === "month" ? 0 : 2));
}

/** The bucket's days, clipped to the filter's period. */
export function bucketRange(unit: BucketUnit, start: string, period: { from?: string; to?: string }): { from: string; to: string } {
  const end = bucketEnd(unit, start);
  return { from: period.from && period.from > start ? period.from : start, to: period.to && period.to < end ? period.to : end };
}

/** Every bucket start from `from` to `to` (so an empty week still shows as a gap, not a missing bar). */
export function bucketStarts(unit: BucketUnit, from: string, to: string): string[] {
  const out: string[] = [];
  let s = bucketStart(unit, from);
  while (s <= to && out.length < 1000) {
    out.push(s);
    s = addDays(bucketEnd(unit, s), 1);
  }
  return out;
}

/** The filter the Overview's figures use, stripped of paging (which the charts ignore). */
export type ChartFilters = Omit<Partial<TransactionFilters>, "cursor" | "limit" | "sort" | "order">;

/** A link to the transaction table showing exactly `filters` narrowed by `extra`. */
export function transactionsHref(filters: ChartFilters, extra: Partial<TransactionFilters> = {}): string {
  const merged: Partial<TransactionFilters> = { ...filters, ...extra, cursor: undefined, limit: undefined, sort: undefined, order: undefined };
  const p = filtersToSearchParams(merged, { paging: false });
  return `/transactions${p.size ? `?${p}` : ""}`;
}

/** Where a chart element leads. Spending (categories, merchants, fees) is money out. */
export const drill = {
  bucket: (f: ChartFilters, unit: BucketUnit, start: string, direction?: "in" | "out") =>
    transactionsHref(f, { ...bucketRange(unit, start, f), ...(direction ? { direction } : {}) }),
  day: (f: ChartFilters, day: string) => transactionsHref(f, { from: day, to: day }),
  category: (f: ChartFilters, category: string) => transactionsHref(f, { category: [category], direction: "out" }),
  merchant: (f: ChartFilters, merchant: string) => transactionsHref(f, { merchant: [merchant], direction: "out" }),
  fees: (f: ChartFilters) => transactionsHref(f, { category: [FEES_CATEGORY], direction: "out" }),
};

/** Fees are the taxonomy's "Fees" category (every provider's fee categories map onto it). */
export const FEES_CATEGORY = "Fees";
