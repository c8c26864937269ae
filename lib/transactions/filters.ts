import { isIsoDate } from "@/lib/dates";
import { z } from "zod";
import { toUnits } from "@/lib/money/decimal";

/**
 * THE transaction filter: one zod schema parses the table's URL, the JSON API's query
 * string, the export request and the charts. Bad values are errors (never silently
 * dropped): a filter that quietly disappears would show data the user excluded.
 *
 * Conventions: dates are calendar dates (YYYY-MM-DD, inclusive); amounts are absolute
 * values (min/max apply to |amount|); `direction` picks money in or out; `q` is a
 * case-insensitive substring of merchant, description or note where % and _ are literal;
 * `merchant` is an exact merchant name (the merchant, or the description when there is none —
 * the name the Overview and "By merchant" group on); `exclude_type` leaves types out (the
 * Overview's charts leave out `transfer` this way, visibly, in every link they make).
 */

const emptyToUndefined = (v: unknown) => (v === "" || v === null ? undefined : v);

/** PostgreSQL text cannot hold a NUL byte: refuse it (and other control characters) up front. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const text = (max: number, message: string) =>
  z.string().trim().max(max, message).refine((s) => !CONTROL.test(s), "Remove the control characters (such as a NUL byte) from this value.");

export const isoDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date like 2026-01-31.")
  .refine(isIsoDate, "That date does not exist.");

const absAmount = z
  .string()
  .trim()
  .regex(/^\d{1,15}(\.\d{1,4})?$/, "Use a positive amount like 12.50 (at most 4 decimals).");

/** Repeated params (?account=a&account=b); `split` also accepts comma lists. */
const list = <T extends z.ZodType>(item: T, split: boolean) =>
  z.preprocess((v) => {
    if (v === undefined || v === null || v === "") return undefined;
    const arr = (Array.isArray(v) ? v : [v]).flatMap((x) => (split ? String(x).split(",") : [String(x)]));
    const clean = arr.map((s) => s.trim()).filter(Boolean);
    return clean.length ? clean : undefined;
  }, z.array(item).max(100, "At most 100 values.").optional());

export const SORTS = ["date", "amount", "merchant"] as const;
export type SortKey = (typeof SORTS)[number];
export const PAGE_SIZE_MAX = 200;

export const transactionFiltersSchema = z
  .object({
    from: z.preprocess(emptyToUndefined, isoDateSchema.optional()),
    to: z.preprocess(emptyToUndefined, isoDateSchema.optional()),
    account: list(z.uuid({ error: "Unknown account." }), true),
    min: z.preprocess(emptyToUndefined, absAmount.optional()),
    max: z.preprocess(emptyToUndefined, absAmount.optional()),
    direction: z.preprocess(emptyToUndefined, z.enum(["in", "out"], { error: 'Direction is "in" or "out".' }).optional()),
    q: z.preprocess(emptyToUndefined, text(200, "Search at most 200 characters.").optional()),
    category: list(text(100, "A category has at most 100 characters."), false),
    type: list(text(50, "A type has at most 50 characters."), false),
    exclude_type: list(text(50, "A type has at most 50 characters."), false),
    merchant: list(text(300, "A merchant name has at most 300 characters."), false),
    pending: z.preprocess(emptyToUndefined, z.enum(["include", "exclude", "only"], { error: 'Pending is "include", "exclude" or "only".' }).default("include")),
    sort: z.preprocess(emptyToUndefined, z.enum(SORTS, { error: "Sort by date, amount or merchant." }).default("date")),
    order: z.preprocess(emptyToUndefined, z.enum(["asc", "desc"], { error: 'Order is "asc" or "desc".' }).default("desc")),
    limit: z.preprocess(
      emptyToUndefined,
      z.coerce.number({ error: "Page size must be a number." }).int("Page size must be a whole number.").min(1, "Page size is at least 1.").max(PAGE_SIZE_MAX, `Page size is at most ${PAGE_SIZE_MAX}.`).default(50),
    ),
    cursor: z.preprocess(emptyToUndefined, z.string().max(600, "Invalid page cursor.").regex(/^[A-Za-z0-9_-]+$/, "That page link is not valid. Start again from the first page.").optional()),
  })
  .superRefine((f, ctx) => {
    if (f.from && f.to && f.from > f.to) ctx.addIssue({ code: "custom", path: ["to"], message: "The end date is before the start date." });
    if (f.min && f.max && toUnits(f.min) > toUnits(f.max)) ctx.addIssue({ code: "custom", path: ["max"], message: "The maximum is below the minimum." });
  });

export type TransactionFilters = z.output<typeof transactionFiltersSchema>;
export type FilterInput = URLSearchParams | Record<string, string | string[] | undefined>;

function toRecord(input: FilterInput): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const entries: [string, string][] =
    input instanceof URLSearchParams
      ? [...input.entries()]
      : Object.entries(input).flatMap(([k, v]) => (v === undefined ? [] : Array.isArray(v) ? v.map((x) => [k, x] as [string, string]) : [[k, v] as [string, string]]));
  for (const [k, v] of entries) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export type FilterParseResult = { ok: true; filters: TransactionFilters } | { ok: false; fieldErrors: Record<string, string[]> };

export function parseFilters(input: FilterInput): FilterParseResult {
  const r = transactionFiltersSchema.safeParse(toRecord(input));
  if (r.success) return { ok: true, filters: r.data };
  const fieldErrors: Record<string, string[]> = {};
  for (const i of r.error.issues) (fieldErrors[String(i.path[0] ?? "_")] ??= []).push(i.message);
  return { ok: false, fieldErrors };
}

export const DEFAULT_FILTERS: TransactionFilters = transactionFiltersSchema.parse({});

/** Filters → query string (defaults and the cursor left out unless asked), for links and exports. */
export function filtersToSearchParams(f: Partial<TransactionFilters>, opts: { cursor?: boolean; paging?: boolean } = {}): URLSearchParams {
  const p = new URLSearchParams();
  const put = (k: string, v: string | undefined) => v !== undefined && p.append(k, v);
  put("from", f.from);
  put("to", f.to);
  f.account?.forEach((a) => p.append("account", a));
  put("min", f.min);
  put("max", f.max);
  put("direction", f.direction);
  put("q", f.q);
  f.category?.forEach((c) => p.append("category", c));
  f.type?.forEach((t) => p.append("type", t));
  f.exclude_type?.forEach((t) => p.append("exclude_type", t));
  f.merchant?.forEach((m) => p.append("merchant", m));
  if (f.pending && f.pending !== "include") put("pending", f.pending);
  if (f.sort && f.sort !== "date") put("sort", f.sort);
  if (f.order && f.order !== "desc") put("order", f.order);
  if (opts.paging !== false && f.limit && f.limit !== 50) put("limit", String(f.limit));
  if (opts.cursor) put("cursor", f.cursor);
  return p;
}
