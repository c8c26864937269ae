import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { convertAmount } from "@/lib/fx/convert";
import { rateOn } from "@/lib/fx/rates";
import { fromUnits, toUnits } from "@/lib/money/decimal";
import { accountValuesOn, addDays, addMonths, type AccountValue, type Change } from "./net-worth";

/**
 * Per-account change, and "what changed this month".
 *
 * Decomposition of an account's change in the base currency between day S (the last
 * day of the previous month) and day E (today), exact and summing to the change:
 * - FX effect   = the opening value converted at E's rate − the opening value at S's rate
 *                 (what the rate move alone did to what the account held);
 * - cash flow   = money in and out during (S, E] (transactions of a linked account,
 *                 manual transactions of a manual cash account), converted at E's rate;
 * - revaluation = the rest: value changes that are not money moving (a new valuation,
 *                 market prices, interest not booked as a transaction), at E's rate, plus
 *                 the sub-cent rounding of the three conversions.
 * Each conversion follows the lib/fx rounding rule. Accounts in the base currency have no
 * FX effect. An account with no rate on either day is listed with null figures.
 */

const u = (s: string) => toUnits(s, 4);
const f4 = (v: bigint) => fromUnits(v, 4);

function percentOf(diff: bigint, start: bigint): string | null {
  if (start === 0n) return null;
  const abs = start < 0n ? -start : start;
  const n = diff * 10000n;
  const neg = n < 0n;
  const q = ((neg ? -n : n) * 2n + abs) / (2n * abs);
  return fromUnits(neg ? -q : q, 2);
}

function change(from: string, start: AccountValue | undefined, end: AccountValue | undefined): Change | null {
  if (!start?.converted || !end?.converted) return null;
  const a = u(start.converted);
  const b = u(end.converted);
  return { from, start: f4(a), end: f4(b), change: f4(b - a), percent: percentOf(b - a, a) };
}

export type AccountChanges = { key: string; name: string; currency: string; day: Change | null; month: Change | null; year: Change | null; since?: Change | null };

/** Each account's change over a day, a month, a year (and since `since`), in money and percent, like the total's. */
export async function accountChanges(db: Db, { userId, base, today, since }: { userId: string; base: string; today: string; since?: string }): Promise<AccountChanges[]> {
  const days = { day: addDays(today, -1), month: addMonths(today, -1), year: addMonths(today, -12), ...(since ? { since } : {}) };
  const [end, ...starts] = await Promise.all([today, ...Object.values(days)].map((day) => accountValuesOn(db, { userId, base, day })));
  const byKey = starts.map((vs) => new Map(vs.map((v) => [v.key, v])));
  const names = Object.keys(days) as (keyof typeof days)[];
  return end!.map((e) => {
    const out: AccountChanges = { key: e.key, name: e.name, currency: e.currency, day: null, month: null, year: null };
    names.forEach((n, i) => {
      out[n] = change(days[n]!, byKey[i]!.get(e.key), e);
    });
    return out;
  });
}

export type MonthChangeRow = {
  key: string;
  name: string;
  currency: string;
  start: string | null;
  end: string | null;
  change: string | null;
  cashFlow: string | null;
  revaluation: string | null;
  fx: string | null;
};

/** "What changed this month": per account, the change since the end of last month split into cash flow, revaluation and FX effect. */
export async function monthChanges(db: Db, { userId, base, today }: { userId: string; base: string; today: string }) {
  const from = addDays(`${today.slice(0, 7)}-01`, -1);
  const [startValues, endValues, flowRows] = await Promise.all([
    accountValuesOn(db, { userId, base, day: from }),
    accountValuesOn(db, { userId, base, day: today }),
    db.execute(sql`
      select 'L:' || account_id::text as k, sum(amount)::text as s from transactions
      where user_id = ${userId} and deleted_at is null and not pending and date > ${from}::date and date <= ${today}::date
      group by account_id
      union all
      select 'M:' || t.account_id::text, sum(t.amount)::text from manual_transactions t join manual_accounts m on m.id = t.account_id and m.kind = 'cash'
      where t.user_id = ${userId} and t.date > ${from}::date and t.date <= ${today}::date
      group by t.account_id`),
  ]);
  const flows = new Map(rowsOf<{ k: string; s: string }>(flowRows).map((r) => [r.k, u(r.s)]));
  const starts = new Map(startValues.map((v) => [v.key, v]));
  const ends = new Map(endValues.map((v) => [v.key, v]));
  const keys = [...new Set([...endValues.map((v) => v.key), ...startValues.map((v) => v.key)])];
  const rateCache = new Map<string, Promise<string | null>>();
  const perEur = (currency: string) => {
    if (!rateCache.has(currency)) rateCache.set(currency, rateOn(db, currency, today).then((r) => r?.perEur ?? null));
    return rateCache.get(currency)!;
  };
  const toBase = await perEur(base);

  const rows: MonthChangeRow[] = [];
  for (const key of keys) {
    const s = starts.get(key);
    const e = ends.get(key);
    const info = (e ?? s)!;
    const row: MonthChangeRow = { key, name: info.name, currency: info.currency, start: null, end: null, change: null, cashFlow: null, revaluation: null, fx: null };
    const fromRate = info.currency === base ? "1" : await perEur(info.currency);
    // Missing on a day = not held then (0); a value with no rate makes the row unconvertible.
    const cs = s ? s.converted : "0";
    const ce = e ? e.converted : "0";
    if (cs === null || ce === null || (info.currency !== base && (fromRate === null || toBase === null))) {
      rows.push(row);
      continue;
    }
    const atEnd = (native: bigint) => (info.currency === base ? native : u(convertAmount(f4(native), fromRate!, toBase!, base)));
    // Liabilities are negative natives already (accountValuesOn); flows keep the transaction's sign.
    const flow = flows.get(key) ?? 0n;
    const total = u(ce) - u(cs);
    const fx = info.currency === base ? 0n : atEnd(s ? u(s.native) : 0n) - u(cs);
    const cashFlow = atEnd(flow);
    rows.push({ ...row, start: f4(u(cs)), end: f4(u(ce)), change: f4(total), cashFlow: f4(cashFlow), fx: f4(fx), revaluation: f4(total - fx - cashFlow) });
  }
  rows.sort((a, b) => a.name.localeCompare(b.name));
  const sum = (k: "change" | "cashFlow" | "revaluation" | "fx") => f4(rows.reduce((acc, r) => acc + (r[k] === null ? 0n : u(r[k]!)), 0n));
  return { from, to: today, base, accounts: rows, totals: { change: sum("change"), cashFlow: sum("cashFlow"), revaluation: sum("revaluation"), fx: sum("fx") } };
}
