import { daysBetween, todayUtc } from "@/lib/dates";
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { users } from "@/db/schema";
import { FX_SOURCE_LABEL, ratesStatus } from "@/lib/fx/rates";
import { AppError } from "@/lib/errors";
import { ASSET_TYPE_LABELS } from "./kinds";
import { accountChanges, monthChanges } from "./changes";
import { accountValuesOn, addDays, addMonths, changeSince, distribute, netWorthDaily, netWorthReport, totalOf, type Change } from "./net-worth";
import { currencySchema, isoDate, latestAllowedDate } from "./schemas";

/** Query parameters shared by the net-worth endpoints (validated once). */
const querySchema = z
  .object({
    base: currencySchema.optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    date: isoDate.optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: "from must be on or before to", path: ["from"] })
  .refine((q) => !q.from || !q.to || daysBetween(q.from, q.to) <= 40 * 366, { message: "At most 40 years per request", path: ["from"] });

function parseQuery(params: URLSearchParams) {
  const parsed = querySchema.safeParse(Object.fromEntries(params));
  if (!parsed.success) {
    const fieldErrors: Record<string, string[]> = {};
    for (const i of parsed.error.issues) (fieldErrors[i.path.join(".") || "_"] ??= []).push(i.message);
    throw new AppError("invalid_input", "Some parameters are invalid.", { fieldErrors });
  }
  return parsed.data;
}

async function baseOf(db: Db, userId: string, requested?: string): Promise<string> {
  if (requested) return requested;
  const [u] = await db.select({ base: users.baseCurrency }).from(users).where(eq(users.id, userId));
  return u?.base ?? "USD";
}

const today = () => todayUtc();

/** GET /api/v1/net-worth — daily series in the base currency, total and changes. */
export async function netWorthJson(db: Db, userId: string, params: URLSearchParams) {
  const q = parseQuery(params);
  const base = await baseOf(db, userId, q.base);
  const to = q.to && q.to < today() ? q.to : today();
  const from = q.from ?? addMonths(to, -12);
  const [series, rates] = await Promise.all([netWorthDaily(db, { userId, base, from, to }), ratesStatus(db)]);
  const end = series.at(-1);
  const change = (d: string) => {
    const c = changeSince(series, d);
    return c && { from: c.from, amount: c.change, percent: c.percent };
  };
  return {
    base,
    from,
    to,
    total: end?.total ?? "0.0000",
    changes: { day: change(addDays(to, -1)), month: change(addMonths(to, -1)), year: change(addMonths(to, -12)), since_from: change(from) },
    series: series.map((p) => ({ date: p.date, total: p.total, accounts_without_rate: p.unconverted })),
    fx: { source: FX_SOURCE_LABEL, latest_rate_date: rates.lastDate, carried_forward: rates.lastDate !== null && to > rates.lastDate },
  };
}

/** GET /api/v1/net-worth/distribution — every account on a day and the split by asset type, account, institution and currency. */
export async function distributionJson(db: Db, userId: string, params: URLSearchParams) {
  const q = parseQuery(params);
  const base = await baseOf(db, userId, q.base);
  const day = q.date ?? today();
  if (day > latestAllowedDate()) throw new AppError("invalid_input", "The date is in the future.", { fieldErrors: { date: ["The date is in the future"] } });
  const values = await accountValuesOn(db, { userId, base, day });
  const slices = (s: ReturnType<typeof distribute>) => s.map((x) => ({ key: x.key, label: x.label, total: x.total }));
  return {
    base,
    date: day,
    total: totalOf(values),
    accounts: values.map((v) => ({
      id: v.id,
      source: v.source,
      name: v.name,
      kind: v.kind,
      asset_type: v.assetType,
      liability: v.liability,
      institution: v.institution,
      currency: v.currency,
      value: v.native,
      converted: v.converted,
      rate: v.rate,
      rate_date: v.rateDate,
    })),
    by_asset_type: slices(distribute(values, (v) => v.assetType, (k) => ASSET_TYPE_LABELS[k] ?? k)),
    by_account: slices(distribute(values, (v) => v.id, (k) => values.find((v) => v.id === k)?.name ?? k)),
    by_institution: slices(distribute(values, (v) => v.institution ?? (v.source === "manual" ? "Manual" : "—"))),
    by_currency: slices(distribute(values, (v) => v.currency)),
    fx: { source: FX_SOURCE_LABEL },
  };
}

/** `date` (the day the changes end on, default today) and `since` (an extra start day), checked against each other and the calendar. */
function changeDays(q: ReturnType<typeof parseQuery> & { since?: string }) {
  const day = q.date ?? today();
  const bad = (field: string, message: string) => new AppError("invalid_input", "Some parameters are invalid.", { fieldErrors: { [field]: [message] } });
  if (day > latestAllowedDate()) throw bad("date", "The date is in the future");
  if (q.since && q.since > day) throw bad("since", "since must be on or before the date");
  if (q.since && Date.parse(day) - Date.parse(q.since) > 40 * 366 * 86400_000) throw bad("since", "At most 40 years back");
  return { day, since: q.since };
}

const sinceSchema = z.object({ since: isoDate.optional() });

function parseChangeQuery(params: URLSearchParams) {
  const { since: rawSince, ...rest } = Object.fromEntries(params);
  const q = parseQuery(new URLSearchParams(rest));
  const s = sinceSchema.safeParse({ since: rawSince });
  if (!s.success) throw new AppError("invalid_input", "Some parameters are invalid.", { fieldErrors: { since: s.error.issues.map((i) => i.message) } });
  return { ...q, since: s.data.since };
}

const changeOut = (c: Change | null) => c && { from: c.from, start: c.start, end: c.end, amount: c.change, percent: c.percent };
const sourceOf = (key: string): "linked" | "manual" => (key.startsWith("M:") ? "manual" : "linked");

/** GET /api/v1/net-worth/changes — net worth and every account's change over a day, a month, a year and since `since`. */
export async function changesJson(db: Db, userId: string, params: URLSearchParams) {
  const q = parseChangeQuery(params);
  const base = await baseOf(db, userId, q.base);
  const { day, since } = changeDays(q);
  const [report, accounts] = await Promise.all([
    netWorthReport(db, { userId, base, today: day, from: since }),
    accountChanges(db, { userId, base, today: day, since }),
  ]);
  const periods = (c: { day: Change | null; month: Change | null; year: Change | null; since?: Change | null }) => ({
    day: changeOut(c.day),
    month: changeOut(c.month),
    year: changeOut(c.year),
    since: since ? changeOut(c.since ?? null) : null,
  });
  return {
    base,
    date: day,
    since: since ?? null,
    total: report.total,
    changes: periods(report.changes),
    accounts: accounts.map((a) => ({ id: a.key.slice(2), source: sourceOf(a.key), name: a.name, currency: a.currency, changes: periods(a) })),
    fx: { source: FX_SOURCE_LABEL },
  };
}

/** GET /api/v1/net-worth/month — "what changed this month": per account, cash flow vs revaluation vs FX effect. */
export async function monthChangesJson(db: Db, userId: string, params: URLSearchParams) {
  const q = parseQuery(params);
  const base = await baseOf(db, userId, q.base);
  const { day } = changeDays(q);
  const r = await monthChanges(db, { userId, base, today: day });
  return {
    base,
    from: r.from,
    to: r.to,
    accounts: r.accounts.map((a) => ({
      id: a.key.slice(2),
      source: sourceOf(a.key),
      name: a.name,
      currency: a.currency,
      start: a.start,
      end: a.end,
      change: a.change,
      cash_flow: a.cashFlow,
      revaluation: a.revaluation,
      fx: a.fx,
    })),
    totals: { change: r.totals.change, cash_flow: r.totals.cashFlow, revaluation: r.totals.revaluation, fx: r.totals.fx },
    fx: { source: FX_SOURCE_LABEL },
  };
}
