import { daysBetween } from "@/lib/dates";
import { minorUnits } from "@/lib/money/currency";
import Link from "next/link";
import type { ReactNode } from "react";
import { formatDate, formatDayMonth, formatMoney, formatMonth, formatQuarter } from "@/lib/format";
import type { BucketUnit } from "@/lib/reports/buckets";
import { niceTicks, pct } from "./scale";

/**
 * The charts, drawn on the server as HTML and SVG: no chart library is shipped to the
 * browser (recharts was ~112 kB of the Overview's JavaScript), every bar or point is a
 * real link (keyboard, middle-click, no JavaScript needed), and text stays legible at
 * any width because labels are HTML, not scaled SVG text. Values arrive as numbers for
 * plotting only; the figures shown are formatted from the decimal strings.
 */

export function compactMoney(currency: string) {
  const f = new Intl.NumberFormat("en-US", { style: "currency", currency, notation: "compact", maximumFractionDigits: 1 });
  // below a thousand nothing is abbreviated: never a fraction the currency does not have (¥13, not ¥12.5)
  const small = new Intl.NumberFormat("en-US", { style: "currency", currency, notation: "compact", maximumFractionDigits: Math.min(1, minorUnits(currency)) });
  return (v: number) => (Math.abs(v) < 1000 ? small : f).format(v);
}

/** Axis label of a bucket starting on `start`: "Mar 4" (week), "Mar ’25" (month), "Q1 ’25" (quarter). */
export function bucketLabel(unit: BucketUnit, start: string, short = true): string {
  if (unit === "week") return short ? formatDayMonth(start) : `Week of ${formatDate(start)}`;
  if (unit === "quarter") return short ? formatQuarter(start).replace(/ 20(\d\d)$/, " ’$1") : formatQuarter(start);
  return short ? formatMonth(start).replace(/ 20(\d\d)$/, " ’$1") : formatMonth(start);
}

/** Show at most ~`max` labels along an axis. */
const every = (n: number, max = 6) => Math.max(1, Math.ceil(n / max));

function Figure({ title, summary, testId, children }: { title: string; summary: string; testId?: string; children: ReactNode }) {
  return (
    <figure className="m-0 min-w-0 overflow-hidden" data-testid={testId}>
      <figcaption className="mb-2 text-sm font-semibold text-stone-800">{title}</figcaption>
      <p className="sr-only">{summary}</p>
      {children}
    </figure>
  );
}

function YAxis({ ticks, lo, hi, currency }: { ticks: number[]; lo: number; hi: number; currency: string }) {
  const fmt = compactMoney(currency);
  return (
    <>
      <div aria-hidden className="relative w-14 shrink-0 text-right text-[11px] text-stone-500">
        {ticks.map((t) => (
          <span key={t} className="absolute right-1.5 -translate-y-1/2 whitespace-nowrap" style={{ top: `${100 - pct(t, lo, hi)}%` }}>
            {fmt(t)}
          </span>
        ))}
      </div>
    </>
  );
}

function Grid({ ticks, lo, hi }: { ticks: number[]; lo: number; hi: number }) {
  return (
    <div aria-hidden className="pointer-events-none absolute inset-0">
      {ticks.map((t) => (
        <div key={t} className={`absolute inset-x-0 border-t ${t === 0 ? "border-stone-300" : "border-dashed border-stone-200"}`} style={{ top: `${100 - pct(t, lo, hi)}%` }} />
      ))}
    </div>
  );
}

export type LinePoint = { date: string; total: number; label: string };
export type LineBand = { from: string; to: string; href: string; label: string };

/**
 * Net worth over time: the axis is scaled to the data (not from 0). `bands` are the
 * period's buckets; each is a link over its days (what moved the balance then).
 */
export function NetWorthChart({ data, bands = [], currency, title = `Net worth (${currency})`, height = 220 }: { data: LinePoint[]; bands?: LineBand[]; currency: string; title?: string; height?: number }) {
  const first = data[0];
  const last = data.at(-1);
  const summary = last && first ? `${data.length} days from ${formatDate(first.date)}; ${last.label} on ${formatDate(last.date)}.` : "No balance history yet.";
  if (!first || !last)
    return (
      <Figure title={title} summary={summary} testId="chart-net-worth">
        <p className="text-sm text-stone-500">No balance history yet.</p>
      </Figure>
    );
  const values = data.map((p) => p.total);
  const ticks = niceTicks(Math.min(...values), Math.max(...values), { zero: false, count: 4 });
  const lo = ticks[0]!;
  const hi = ticks.at(-1)!;
  const n = data.length;
  const x = (i: number) => (n === 1 ? 50 : (i / (n - 1)) * 100);
  const y = (v: number) => 100 - pct(v, lo, hi);
  const line = data.map((p, i) => `${i ? "L" : "M"}${x(i).toFixed(3)},${y(p.total).toFixed(3)}`).join(" ");
  const area = `${line} L${x(n - 1).toFixed(3)},100 L${x(0).toFixed(3)},100 Z`;
  const xOf = (date: string) => {
    // position of a date between the first and last point (dates without a point fall between)
    const t0 = Date.parse(first.date);
    const t1 = Date.parse(last.date);
    return t1 === t0 ? 50 : Math.min(100, Math.max(0, ((Date.parse(date) - t0) / (t1 - t0)) * 100));
  };
  const spanDays = daysBetween(first.date, last.date);
  const tickEvery = every(n, 5);
  const xTicks = data.filter((_, i) => i % tickEvery === 0).map((p) => p.date);
  return (
    <Figure title={title} summary={summary} testId="chart-net-worth">
      <div className="flex" style={{ height }}>
        <YAxis ticks={ticks} lo={lo} hi={hi} currency={currency} />
        <div className="relative min-w-0 flex-1" data-testid="plot">
          <Grid ticks={ticks} lo={lo} hi={hi} />
          <svg aria-hidden className="absolute inset-0 h-full w-full overflow-visible" viewBox="0 0 100 100" preserveAspectRatio="none" data-testid="net-worth-line">
            <path d={area} fill="#2f8f6f" fillOpacity={0.15} stroke="none" />
            <path d={line} fill="none" stroke="#23775b" strokeWidth={2} vectorEffect="non-scaling-stroke" />
          </svg>
          {bands.map((b) => {
            const left = xOf(b.from < first.date ? first.date : b.from);
            const right = xOf(b.to > last.date ? last.date : b.to);
            return (
              <Link
                key={b.from}
                href={b.href}
                title={b.label}
                aria-label={b.label}
                data-testid="net-worth-band"
                className="absolute inset-y-0 block hover:bg-stone-900/5 focus-visible:bg-stone-900/10"
                style={{ left: `${left}%`, width: `${Math.max(0.5, right - left)}%` }}
              />
            );
          })}
        </div>
      </div>
      <div aria-hidden className="relative ml-14 h-5 text-[11px] text-stone-500">
        {xTicks.map((d) => (
          // Labels near an edge are aligned to it so none sticks out of the chart.
          <span key={d} className={`absolute whitespace-nowrap pt-1 ${xOf(d) > 85 ? "-translate-x-full" : xOf(d) < 10 ? "" : "-translate-x-1/2"}`} style={{ left: `${xOf(d)}%` }}>
            {spanDays > 120 ? formatMonth(d).replace(/ 20(\d\d)$/, " ’$1") : formatDayMonth(d)}
          </span>
        ))}
      </div>
    </Figure>
  );
}

export type CashflowBar = { start: string; moneyIn: number; moneyOut: number; inText: string; outText: string; inHref: string; outHref: string };

/** Money in and out per bucket; each bar links to that bucket's money in (or out). */
export function CashflowChart({ data, unit, currency, height = 220 }: { data: CashflowBar[]; unit: BucketUnit; currency: string; height?: number }) {
  const per = unit === "week" ? "week" : unit === "month" ? "month" : "quarter";
  const title = `Money in vs out per ${per} (${currency})`;
  const summary = data.length ? `${data.length} ${per}s of money in and out.` : "No transactions in this period.";
  const ticks = niceTicks(0, Math.max(0, ...data.flatMap((d) => [d.moneyIn, d.moneyOut])), { count: 4 });
  const hi = ticks.at(-1)!;
  const labelEvery = every(data.length);
  return (
    <Figure title={title} summary={summary} testId="chart-cashflow">
      {data.length === 0 ? (
        <p className="text-sm text-stone-500">No transactions in this period.</p>
      ) : (
        <>
          <div className="flex" style={{ height }}>
            <YAxis ticks={ticks} lo={0} hi={hi} currency={currency} />
            <div className="relative min-w-0 flex-1">
              <Grid ticks={ticks} lo={0} hi={hi} />
              <ol className="absolute inset-0 flex items-end gap-[2px]">
                {data.map((d) => (
                  <li key={d.start} className="flex h-full min-w-0 flex-1 items-end justify-center gap-px" data-bucket={d.start}>
                    <Link
                      href={d.inHref}
                      title={`${bucketLabel(unit, d.start, false)}: money in ${d.inText}`}
                      aria-label={`${bucketLabel(unit, d.start, false)}: money in ${d.inText}`}
                      data-testid="bar-in"
                      data-amount={d.moneyIn}
                      className="block w-1/2 max-w-6 rounded-t-sm bg-brand-500 hover:bg-brand-700 focus-visible:bg-brand-700"
                      style={{ height: `${Math.max(pct(d.moneyIn, 0, hi), d.moneyIn > 0 ? 0.5 : 0)}%`, minHeight: 2 }}
                    />
                    <Link
                      href={d.outHref}
                      title={`${bucketLabel(unit, d.start, false)}: money out ${d.outText}`}
                      aria-label={`${bucketLabel(unit, d.start, false)}: money out ${d.outText}`}
                      data-testid="bar-out"
                      data-amount={d.moneyOut}
                      className="block w-1/2 max-w-6 rounded-t-sm bg-[#c4503f] hover:bg-[#9c3a2c] focus-visible:bg-[#9c3a2c]"
                      style={{ height: `${Math.max(pct(d.moneyOut, 0, hi), d.moneyOut > 0 ? 0.5 : 0)}%`, minHeight: 2 }}
                    />
                  </li>
                ))}
              </ol>
            </div>
          </div>
          <ol aria-hidden className="ml-14 flex gap-[2px] pt-1 text-[11px] text-stone-500">
            {data.map((d, i) => (
              <li key={d.start} className="flex min-w-0 flex-1 justify-center overflow-visible whitespace-nowrap" data-testid="cashflow-label">
                {i % labelEvery === 0 ? bucketLabel(unit, d.start) : ""}
              </li>
            ))}
          </ol>
          <p className="mt-2 flex gap-4 text-xs text-stone-600">
            <span className="flex items-center gap-1.5">
              <span aria-hidden className="inline-block h-2.5 w-2.5 rounded-sm bg-brand-500" /> Money in
            </span>
            <span className="flex items-center gap-1.5">
              <span aria-hidden className="inline-block h-2.5 w-2.5 rounded-sm bg-[#c4503f]" /> Money out
            </span>
          </p>
        </>
      )}
    </Figure>
  );
}

export type HBar = { key: string; label: string; value: number; text: string; href?: string };

/** Horizontal bars (spending by category, distributions); negative values in red, each row a link when it has one. */
export function BarList({ title, data, testId, empty = "Nothing to show yet." }: { title: string; data: HBar[]; testId?: string; empty?: string }) {
  const max = Math.max(0, ...data.map((d) => Math.abs(d.value)));
  const summary = data.length ? data.map((d) => `${d.label} ${d.text}`).join("; ") : empty;
  return (
    <Figure title={title} summary={summary} testId={testId}>
      {data.length === 0 ? (
        <p className="text-sm text-stone-500">{empty}</p>
      ) : (
        <ul className="space-y-1.5 text-sm">
          {data.map((d) => {
            const inner = (
              <>
                <span className="flex justify-between gap-3">
                  <span className="truncate">{d.label}</span>
                  <span className={`tabular shrink-0 font-medium ${d.value < 0 ? "text-red-700" : ""}`}>{d.text}</span>
                </span>
                <span aria-hidden className="mt-0.5 block h-1.5 rounded-full bg-stone-100">
                  <span className={`block h-1.5 rounded-full ${d.value < 0 ? "bg-[#c4503f]" : "bg-[#4f7aa6]"}`} style={{ width: `${max ? (Math.abs(d.value) / max) * 100 : 0}%` }} />
                </span>
              </>
            );
            return (
              <li key={d.key} data-testid="bar-row" data-amount={d.value}>
                {d.href ? (
                  <Link href={d.href} className="block rounded-md px-1 py-0.5 hover:bg-stone-50 focus-visible:bg-stone-50">
                    {inner}
                  </Link>
                ) : (
                  <div className="px-1 py-0.5">{inner}</div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </Figure>
  );
}

/** Plotting only: a decimal string as a number (figures shown as text stay decimal strings). */
export const plot = (s: string) => Number(s);
export { formatMoney };
