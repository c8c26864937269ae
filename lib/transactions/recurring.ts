import { addDays, addMonths, daysBetween, todayUtc } from "@/lib/dates";
import { and, eq, gte, isNull, lt, lte, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { financialAccounts, transactions, users } from "@/db/schema";
import { convertOn } from "@/lib/fx/rates";
import { fromUnits, toUnits } from "@/lib/money/decimal";

/**
 * Recurring payments (subscriptions and bills) found in the history.
 *
 * A series is money going out to one merchant (its name, case-insensitive, in one currency)
 * whose latest payments follow one cadence without a gap or an extra payment in between:
 *
 *   cadence    gap between payments   at least   grace before "missed"
 *   weekly     6–8 days               4 payments  3 days
 *   monthly    26–35 days             3 payments  7 days
 *   quarterly  84–98 days             3 payments  14 days
 *   yearly     350–380 days           2 payments  30 days
 *
 * Every payment of the run but the last is within 25 % of their median amount (a "similar
 * amount"); the last one may differ and is then flagged as a changed amount. The next date
 * is the last one plus the cadence (months keep the day of the month, clamped to the month's
 * end). A series is "missed" once the next date plus the grace has passed, and dropped as
 * ended after two cadences without a payment. Yearly cost = last amount × payments a year
 * (52, 12, 4, 1), exact, and converted to the user's base currency at `asOf`'s ECB rate.
 * Transfers, pending, excluded and deleted rows do not count.
 */

export type Cadence = "weekly" | "monthly" | "quarterly" | "yearly";

const CADENCES: { cadence: Cadence; min: number; max: number; count: number; grace: number; perYear: bigint; days?: number; months?: number }[] = [
  { cadence: "weekly", min: 6, max: 8, count: 4, grace: 3, perYear: 52n, days: 7 },
  { cadence: "monthly", min: 26, max: 35, count: 3, grace: 7, perYear: 12n, months: 1 },
  { cadence: "quarterly", min: 84, max: 98, count: 3, grace: 14, perYear: 4n, months: 3 },
  { cadence: "yearly", min: 350, max: 380, count: 2, grace: 30, perYear: 1n, months: 12 },
];

export type RecurringPayment = {
  merchant: string;
  currency: string;
  cadence: Cadence;
  /** Payments in the regular run. */
  count: number;
  firstDate: string;
  lastDate: string;
  /** Positive amounts (money out), decimal strings with 4 decimals like the database. */
  lastAmount: string;
  previousAmount: string;
  amountChanged: boolean;
  nextDate: string;
  status: "active" | "missed";
  yearlyCost: string;
  /** Yearly cost in the base currency, or null when no rate is known for the currency. */
  yearlyCostBase: string | null;
  baseCurrency: string;
  accountName: string;
  category: string | null;
};


type Row = { date: string; amount: string; merchant: string; currency: string; accountName: string; category: string | null };

function median(units: bigint[]): bigint {
  const s = [...units].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2n;
}

/** The regular trailing run of a merchant's payments for the best cadence, or null. */
export function detectSeries(rows: Row[], asOf: string): Omit<RecurringPayment, "yearlyCostBase" | "baseCurrency"> | null {
  if (rows.length < 2) return null;
  let best: { c: (typeof CADENCES)[number]; run: Row[] } | null = null;
  for (const c of CADENCES) {
    // Walk back from the latest payment while each gap fits the cadence.
    let start = rows.length - 1;
    while (start > 0) {
      const g = daysBetween(rows[start - 1]!.date, rows[start]!.date);
      if (g < c.min || g > c.max) break;
      start--;
    }
    const run = rows.slice(start);
    if (run.length >= c.count && (!best || run.length > best.run.length)) best = { c, run };
  }
  if (!best) return null;
  const { c, run } = best;
  const amounts = run.map((r) => -toUnits(r.amount));
  const head = amounts.slice(0, -1);
  const med = median(head);
  // Similar: |a − median| ≤ 25 % of the median (exact: 4·|a − m| ≤ m).
  if (head.some((a) => 4n * (a > med ? a - med : med - a) > med)) return null;
  const last = run[run.length - 1]!;
  const nextDate = c.days ? addDays(last.date, c.days) : addMonths(last.date, c.months!);
  const overdue = daysBetween(nextDate, asOf);
  const period = c.days ?? Math.round(c.months! * 30.44);
  if (overdue > 2 * period) return null; // ended
  const lastUnits = amounts[amounts.length - 1]!;
  const prevUnits = amounts[amounts.length - 2]!;
  return {
    merchant: last.merchant,
    currency: last.currency,
    cadence: c.cadence,
    count: run.length,
    firstDate: run[0]!.date,
    lastDate: last.date,
    lastAmount: fromUnits(lastUnits, 4),
    previousAmount: fromUnits(prevUnits, 4),
    amountChanged: lastUnits !== prevUnits,
    nextDate,
    status: overdue > c.grace ? "missed" : "active",
    yearlyCost: fromUnits(lastUnits * c.perYear, 4),
    accountName: last.accountName,
    category: last.category,
  };
}

const HISTORY_DAYS = 800;

/** Recurring payments of one user as of a calendar day (default: today, UTC), soonest next date first. */
export async function listRecurring(db: Db, { userId, asOf = todayUtc() }: { userId: string; asOf?: string }): Promise<RecurringPayment[]> {
  const [u] = await db.select({ base: users.baseCurrency }).from(users).where(eq(users.id, userId));
  if (!u) return [];
  const baseCurrency = u.base.trim();
  const t = transactions;
  const name = sql<string>`coalesce(${t.merchant}, ${t.description})`;
  const rows = await db
    .select({ date: t.date, amount: t.amount, merchant: name, currency: t.currency, accountName: financialAccounts.name, category: t.category })
    .from(t)
    .innerJoin(financialAccounts, and(eq(financialAccounts.id, t.accountId), eq(financialAccounts.userId, t.userId)))
    .where(
      and(
        eq(t.userId, userId),
        isNull(t.deletedAt),
        eq(t.pending, false),
        eq(t.excluded, false),
        lt(t.amount, "0"),
        sql`coalesce(${t.type}, '') <> 'transfer'`,
        gte(t.date, addDays(asOf, -HISTORY_DAYS)),
        lte(t.date, asOf),
      ),
    )
    .orderBy(sql`lower(${name})`, t.currency, t.date, t.id);
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const key = `${r.merchant.trim().toLowerCase()}|${r.currency}`;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push({ ...r, currency: r.currency.trim() });
  }
  const out: RecurringPayment[] = [];
  for (const g of groups.values()) {
    const series = detectSeries(g, asOf);
    if (!series) continue;
    const conv = await convertOn(db, series.yearlyCost, series.currency, baseCurrency, asOf);
    out.push({ ...series, baseCurrency, yearlyCostBase: conv.status === "ok" ? conv.amount : null });
  }
  return out.sort((a, b) => (a.nextDate < b.nextDate ? -1 : a.nextDate > b.nextDate ? 1 : a.merchant.localeCompare(b.merchant)));
}

/** Sum of the yearly costs in the base currency (series without a rate are left out and counted). */
export function yearlyTotal(items: RecurringPayment[]): { total: string; unconverted: number } {
  let s = 0n;
  let unconverted = 0;
  for (const i of items) {
    if (i.yearlyCostBase === null) unconverted++;
    else s += toUnits(i.yearlyCostBase);
  }
  return { total: fromUnits(s, 4), unconverted };
}
