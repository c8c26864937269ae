import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { filtersToSearchParams, parseFilters, type FilterInput, type FilterParseResult } from "@/lib/transactions/filters";
import { addDays, addMonthsRollingOver } from "@/lib/dates";
import type { ChartFilters } from "./buckets";

/**
 * The Overview's URL is THE transaction filter (lib/transactions/filters.ts) — the one the
 * table, the API and the export parse — plus `amounts=native`. A bare "/" means the last
 * 12 months with transfers between your own accounts left out; that default is written
 * out in full in every link the page makes, so nothing is excluded invisibly.
 */

const FILTER_KEYS = ["from", "to", "account", "min", "max", "direction", "q", "category", "type", "exclude_type", "merchant", "pending"];

/** First day 12 months back: a year ending today. */
export function yearAgo(today: string): string {
  return addDays(addMonthsRollingOver(today, -12), 1);
}

export function defaultOverviewFilters(today: string): ChartFilters {
  return { from: yearAgo(today), exclude_type: ["transfer"] };
}

export function overviewFilters(raw: Record<string, string | string[] | undefined>, today: string): { ok: true; filters: ChartFilters } | Extract<FilterParseResult, { ok: false }> {
  const given = Object.entries(raw).filter(([k, v]) => FILTER_KEYS.includes(k) && v !== undefined);
  if (given.length === 0) return { ok: true, filters: defaultOverviewFilters(today) };
  const r = parseFilters(Object.fromEntries(given) as FilterInput);
  if (!r.ok) return r;
  const { cursor: _c, limit: _l, sort: _s, order: _o, ...filters } = r.filters;
  return { ok: true, filters };
}

export function overviewHref(f: ChartFilters, mode: "converted" | "native" = "converted"): string {
  const p = filtersToSearchParams(f, { paging: false });
  if (mode === "native") p.set("amounts", "native");
  return p.size ? `/?${p}` : "/";
}

/** The period switcher: each link keeps every other filter and sets `from` (no `to`: up to today). */
export function periodLinks(f: ChartFilters, today: string, firstDay: string) {
  const y = today.slice(0, 4);
  const threeMonths = addDays(addMonthsRollingOver(today, -3), 1);
  const options = [
    { label: "3 months", from: threeMonths },
    { label: "1 year", from: yearAgo(today) },
    { label: "This year", from: `${y}-01-01` },
    { label: "All time", from: firstDay },
  ];
  return options.map((o) => ({ label: o.label, filters: { ...f, from: o.from, to: undefined }, current: !f.to && f.from === o.from }));
}

/** The first day anything is known (a transaction, a balance, a manual valuation), or null. */
export async function firstActivityDate(db: Db, userId: string): Promise<string | null> {
  const [row] = rowsOf<{ d: string | null }>(
    await db.execute(sql`select least(
      (select min(date) from transactions where user_id = ${userId} and deleted_at is null),
      (select min(date) from balance_snapshots where user_id = ${userId}),
      (select min(date) from manual_valuations where user_id = ${userId}))::text as d`),
  );
  return row?.d ?? null;
}
