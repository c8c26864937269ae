import { daysBetween, todayUtc } from "@/lib/dates";
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { users } from "@/db/schema";
import { FX_SOURCE_LABEL, ratesStatus } from "@/lib/fx/rates";
import { AppError } from "@/lib/errors";
import { ASSET_TYPE_LABELS } from "./kinds";
import { accountValuesOn, addDays, addMonths, changeSince, distribute, netWorthDaily, totalOf } from "./net-worth";
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
