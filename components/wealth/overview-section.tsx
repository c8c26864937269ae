import { addDays, startOfMonth } from "@/lib/dates";
import Link from "next/link";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { FX_SOURCE_LABEL, ratesStatus } from "@/lib/fx/rates";
import { formatDate, formatMoney, isNegative } from "@/lib/format";
import type { BucketUnit, ChartFilters } from "@/lib/reports/buckets";
import { overviewConverted } from "@/lib/reports/overview-converted";
import { overviewHref } from "@/lib/reports/overview-filters";
import { changeSince, netWorthReport, type Change } from "@/lib/wealth/net-worth";

/**
 * The Overview's wealth section: net worth with its distribution, the converted /
 * native toggle and the FX source line. Kept in one component so the Overview page
 * only swaps its data source.
 */
export type AmountsMode = "converted" | "native";
export const amountsMode = (raw?: string): AmountsMode => (raw === "native" ? "native" : "converted");

export async function hasManualAccounts(db: Db, userId: string): Promise<boolean> {
  const [row] = rowsOf<{ x: boolean }>(await db.execute(sql`select exists(select 1 from manual_accounts where user_id = ${userId} and archived_at is null) as x`));
  return row?.x === true;
}

export async function wealthOverviewData(
  db: Db,
  { userId, base, filters, today, mode, unit }: { userId: string; base: string; filters: ChartFilters; today: string; mode: AmountsMode; unit: BucketUnit },
) {
  const [report, rates, converted] = await Promise.all([
    netWorthReport(db, { userId, base, today }),
    ratesStatus(db),
    mode === "converted" ? overviewConverted(db, { userId, base, filters, today, unit }) : Promise.resolve(null),
  ]);
  return { report, rates, converted, mode };
}

/** Last day of the month before `today`'s, and Dec 31 of the year before: "this month" and "this year" start there. */
export function monthAndYearStarts(today: string): { month: string; year: string } {
  return { month: addDays(startOfMonth(today), -1), year: `${Number(today.slice(0, 4)) - 1}-12-31` };
}

function ChangeFigure({ label, change, currency, testId }: { label: string; change: Change | null; currency: string; testId: string }) {
  return (
    <div className="min-w-0 rounded-lg bg-stone-50 px-3 py-2" data-testid={testId}>
      <div className="text-xs text-stone-600">{label}</div>
      {change ? (
        <div className={`tabular flex flex-wrap gap-x-1 text-sm font-medium ${isNegative(change.change) ? "text-red-700" : "text-emerald-700"}`}>
          {formatMoney(change.change, currency, { signed: true })}
          {change.percent !== null && (
            <span className="text-xs">
              ({change.percent.startsWith("-") ? "" : "+"}
              {change.percent}%)
            </span>
          )}
        </div>
      ) : (
        <div className="text-sm text-stone-600">no history</div>
      )}
    </div>
  );
}

/** The headline: net worth today, and how it moved this month and this year (since the last day before each began). */
function Headline({ report, lastRateDate }: { report: Awaited<ReturnType<typeof netWorthReport>>; lastRateDate: string | null }) {
  const base = report.base;
  const starts = monthAndYearStarts(report.date);
  const since = (day: string) => changeSince(report.series, day) ?? (report.series[0] && report.series[0].date > day ? changeSince(report.series, report.series[0].date) : null);
  const month = since(starts.month);
  const year = since(starts.year);
  const partial = (c: Change | null, day: string) => (c && c.from > day ? ` (since ${formatDate(c.from)})` : "");
  return (
    <section className="rounded-xl border border-stone-200 bg-white p-4 shadow-sm sm:p-5" data-testid="net-worth" aria-labelledby="nw-headline">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h2 id="nw-headline" className="text-sm font-semibold text-stone-800">
            Net worth
          </h2>
          <div className="tabular mt-1 text-3xl font-semibold" data-testid="net-worth-total">
            {formatMoney(report.total, base)}
          </div>
          <p className="mt-1 text-xs text-stone-600">
            Everything you own minus what you owe, in {base}, on {formatDate(report.date)}
            {lastRateDate && report.date > lastRateDate && <> (latest rates {formatDate(lastRateDate)})</>}.{" "}
            <Link href="/wealth" className="font-medium text-brand-700 hover:underline">
              Details and manual assets
            </Link>
          </p>
        </div>
        <div className="grid w-full min-w-0 grid-cols-2 gap-2 sm:w-auto" data-testid="net-worth-changes">
          <ChangeFigure label={`This month${partial(month, starts.month)}`} change={month} currency={base} testId="change-month" />
          <ChangeFigure label={`This year${partial(year, starts.year)}`} change={year} currency={base} testId="change-year" />
        </div>
      </div>
      {report.unconverted.length > 0 && (
        <p role="note" className="mt-3 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
          Not included (no exchange rate): {report.unconverted.map((u) => `${u.name} (${u.currency})`).join(", ")}.
        </p>
      )}
    </section>
  );
}

export function WealthOverview({ data, base, filters }: { data: Awaited<ReturnType<typeof wealthOverviewData>>; base: string; filters: ChartFilters }) {
  const q = (mode: AmountsMode) => overviewHref(filters, mode);
  return (
    <div className="mb-6 space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3 text-sm">
        <nav aria-label="Amounts" className="flex gap-1 rounded-lg bg-stone-100 p-1">
          <Link href={q("converted")} aria-current={data.mode === "converted" ? "page" : undefined} className={`rounded-md px-3 py-1 ${data.mode === "converted" ? "bg-white shadow-sm" : "text-stone-600"}`}>
            In {base}
          </Link>
          <Link href={q("native")} aria-current={data.mode === "native" ? "page" : undefined} className={`rounded-md px-3 py-1 ${data.mode === "native" ? "bg-white shadow-sm" : "text-stone-600"}`}>
            Native amounts
          </Link>
        </nav>
        <p className="text-xs text-stone-500" data-testid="fx-source">
          {data.mode === "converted" ? `Converted at each day's rate. ${FX_SOURCE_LABEL}` : FX_SOURCE_LABEL}
          {data.rates.lastDate && ` · latest rates ${formatDate(data.rates.lastDate)}`}
          {data.converted && data.converted.unconverted > 0 && ` · ${data.converted.unconverted} transaction(s) without a rate left out`}
        </p>
      </div>
      <Headline report={data.report} lastRateDate={data.rates.lastDate} />
    </div>
  );
}
