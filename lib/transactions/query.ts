import { and, eq, gte, ilike, inArray, isNotNull, isNull, lte, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { financialAccounts, transactions } from "@/db/schema";
import { AppError } from "@/lib/errors";
import type { SortKey, TransactionFilters } from "./filters";
import type { TransferCounterpart } from "./transfers";

/**
 * The transaction query layer. Every function takes the owner; every query is scoped by
 * `transactions.user_id`. The table, the JSON API, the export and the charts all build
 * their WHERE from `whereForFilters`.
 */

/** `%`, `_` and `\` typed by the user are literal. */
/** The label (and filter value) of rows with no category, as the charts group them. */
export const UNCATEGORISED = "Uncategorised";

export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function whereForFilters(userId: string, f: Partial<TransactionFilters>): SQL {
  const t = transactions;
  return and(
    eq(t.userId, userId),
    isNull(t.deletedAt),
    f.from ? gte(t.date, f.from) : undefined,
    f.to ? lte(t.date, f.to) : undefined,
    f.account?.length ? inArray(t.accountId, f.account) : undefined,
    f.min ? sql`abs(${t.amount}) >= ${f.min}::numeric` : undefined,
    f.max ? sql`abs(${t.amount}) <= ${f.max}::numeric` : undefined,
    f.direction === "in" ? sql`${t.amount} > 0` : f.direction === "out" ? sql`${t.amount} < 0` : undefined,
    f.q ? or(ilike(t.merchant, `%${escapeLike(f.q)}%`), ilike(t.description, `%${escapeLike(f.q)}%`), ilike(t.note, `%${escapeLike(f.q)}%`)) : undefined,
    // "Uncategorised" is how every chart and the table name a row with no category: it selects those rows.
    f.category?.length ? (f.category.includes(UNCATEGORISED) ? or(inArray(t.category, f.category), isNull(t.category)) : inArray(t.category, f.category)) : undefined,
    f.type?.length ? inArray(t.type, f.type) : undefined,
    // A row with no type is not of an excluded type.
    f.exclude_type?.length ? sql`coalesce(${t.type}, '') not in (${sql.join(f.exclude_type.map((x) => sql`${x}`), sql`, `)})` : undefined,
    f.merchant?.length ? inArray(sql`coalesce(${t.merchant}, ${t.description})`, f.merchant) : undefined,
    f.pending === "exclude" ? eq(t.pending, false) : f.pending === "only" ? eq(t.pending, true) : undefined,
  )!;
}

// ------------------------------------------------------------------ keyset pagination

/** Sort key expressions; each has an index (user_id, key, id) — see db/schema/banking.ts. */
const SORT_EXPR: Record<SortKey, { expr: SQL; cast: string }> = {
  date: { expr: sql`${transactions.date}`, cast: "date" },
  amount: { expr: sql`abs(${transactions.amount})`, cast: "numeric" },
  merchant: { expr: sql`lower(coalesce(${transactions.merchant}, ${transactions.description}))`, cast: "text" },
};

/** `b`: the page BEFORE this key (a "previous page" link), read backwards. */
type CursorData = { s: SortKey; o: "asc" | "desc"; k: string; i: string; b?: 1 };

export function encodeCursor(c: CursorData): string {
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

const CURSOR_KEY: Record<string, (k: string) => boolean> = {
  date: (k) => /^\d{4}-\d{2}-\d{2}$/.test(k) && !Number.isNaN(Date.parse(`${k}T00:00:00Z`)) && new Date(`${k}T00:00:00Z`).toISOString().startsWith(k),
  numeric: (k) => /^\d{1,15}(\.\d{1,4})?$/.test(k),
  text: (k) => k.length <= 1000 && !k.includes("\u0000"),
};

function decodeCursor(raw: string, sort: SortKey, order: "asc" | "desc"): CursorData {
  let c: CursorData;
  try {
    c = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as CursorData;
  } catch {
    throw new AppError("invalid_input", "That page link is not valid. Start again from the first page.");
  }
  if (!c || typeof c.k !== "string" || typeof c.i !== "string" || !/^[0-9a-f-]{36}$/i.test(c.i) || (c.b !== undefined && c.b !== 1))
    throw new AppError("invalid_input", "That page link is not valid. Start again from the first page.");
  if (c.s !== sort || c.o !== order) throw new AppError("invalid_input", "That page link belongs to another sort order. Start again from the first page.");
  // The key is cast in SQL: a forged one must be refused here, not fail in the database.
  if (!CURSOR_KEY[SORT_EXPR[sort].cast]?.(c.k)) throw new AppError("invalid_input", "That page link is not valid. Start again from the first page.");
  return c;
}

const pageColumns = {
  id: transactions.id,
  date: transactions.date,
  authorizedDate: transactions.authorizedDate,
  description: transactions.description,
  merchant: transactions.merchant,
  counterparty: transactions.counterparty,
  category: transactions.category,
  type: transactions.type,
  note: transactions.note,
  amount: transactions.amount,
  currency: transactions.currency,
  pending: transactions.pending,
  excluded: transactions.excluded,
  userEditedFields: transactions.userEditedFields,
  accountId: transactions.accountId,
  transferId: transactions.transferId,
  pendingTransactionId: transactions.pendingTransactionId,
};

export type TransactionRow = {
  id: string;
  date: string;
  authorizedDate: string | null;
  description: string;
  merchant: string | null;
  counterparty: string | null;
  category: string | null;
  type: string | null;
  note: string | null;
  amount: string;
  currency: string;
  pending: boolean;
  excluded: boolean;
  userEditedFields: string[];
  accountId: string;
  accountName: string;
  /** The other side when this row is a transfer between the user's own accounts. */
  transferId: string | null;
  pendingTransactionId: string | null;
  raw?: unknown;
  /** Filled in for the table's row detail (lib/transactions/transfers.ts). */
  transfer?: TransferCounterpart | null;
};

/** `prevCursor` is null on the first page. */
export type TransactionPage = { rows: TransactionRow[]; nextCursor: string | null; prevCursor: string | null };

/**
 * One page of transactions: server-side filter + sort + keyset pagination on
 * (sort key, id). No OFFSET and no COUNT: `limit + 1` rows tell whether more follow.
 */
export async function queryTransactions(
  db: Db,
  { userId, filters, withRaw = false }: { userId: string; filters: TransactionFilters; withRaw?: boolean },
): Promise<TransactionPage> {
  const { expr, cast } = SORT_EXPR[filters.sort];
  const at = filters.cursor ? decodeCursor(filters.cursor, filters.sort, filters.order) : null;
  // A "previous page" cursor reads backwards from its key (reverse comparison and order), then flips the rows.
  const backwards = at?.b === 1;
  const asc = (filters.order === "asc") !== backwards;
  const dir = asc ? sql`asc` : sql`desc`;
  const cmp = asc ? sql`>` : sql`<`;
  // Page on transactions alone (so the planner walks the (user, key, id) index), then
  // name the accounts of just this page.
  const rows = await db
    .select({ ...pageColumns, ...(withRaw ? { raw: transactions.raw } : {}), sortKey: sql<string>`(${expr})::text` })
    .from(transactions)
    .where(
      and(
        whereForFilters(userId, filters),
        at ? sql`(${expr}, ${transactions.id}) ${cmp} (${at.k}::${sql.raw(cast)}, ${at.i}::uuid)` : undefined,
      ),
    )
    .orderBy(sql`${expr} ${dir}`, sql`${transactions.id} ${dir}`)
    .limit(filters.limit + 1);
  const more = rows.length > filters.limit;
  // Back at the start: the first page proper (a full page, no "previous" link).
  if (backwards && !more) return queryTransactions(db, { userId, filters: { ...filters, cursor: undefined }, withRaw });
  const page = more ? rows.slice(0, filters.limit) : rows;
  if (backwards) page.reverse();
  const names = await accountNames(db, userId, [...new Set(page.map((r) => r.accountId))]);
  const first = page[0];
  const last = page[page.length - 1];
  const key = (r: (typeof page)[number], b?: 1) => encodeCursor({ s: filters.sort, o: filters.order, k: r.sortKey, i: r.id, ...(b ? { b } : {}) });
  return {
    rows: page.map(({ sortKey: _k, ...r }) => ({ ...r, accountName: names.get(r.accountId) ?? "" }) as TransactionRow),
    nextCursor: last && (backwards || more) ? key(last) : null,
    prevCursor: first && at ? key(first, 1) : null,
  };
}

async function accountNames(db: Db, userId: string, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await db
    .select({ id: financialAccounts.id, name: financialAccounts.name })
    .from(financialAccounts)
    .where(and(eq(financialAccounts.userId, userId), inArray(financialAccounts.id, ids)));
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Totals per merchant (or description when there is none) for the same filters. */
export async function groupByMerchant(db: Db, { userId, filters, limit = 200 }: { userId: string; filters: TransactionFilters; limit?: number }) {
  const name = sql<string>`coalesce(${transactions.merchant}, ${transactions.description})`;
  return db
    .select({
      merchant: name,
      currency: transactions.currency,
      count: sql<number>`count(*)::int`,
      total: sql<string>`sum(${transactions.amount})::text`,
      spent: sql<string>`coalesce(sum(${transactions.amount}) filter (where ${transactions.amount} < 0), 0)::text`,
      received: sql<string>`coalesce(sum(${transactions.amount}) filter (where ${transactions.amount} > 0), 0)::text`,
      lastDate: sql<string>`max(${transactions.date})::text`,
    })
    .from(transactions)
    .where(whereForFilters(userId, filters))
    .groupBy(name, transactions.currency)
    .orderBy(sql`abs(sum(${transactions.amount})) desc`, name)
    .limit(limit);
}

/** Distinct categories in use, for the filter picker. */
export async function listCategories(db: Db, { userId }: { userId: string }): Promise<string[]> {
  const rows = await db
    .selectDistinct({ c: transactions.category })
    .from(transactions)
    .where(and(eq(transactions.userId, userId), isNull(transactions.deletedAt), isNotNull(transactions.category)))
    .orderBy(transactions.category);
  return rows.map((r) => r.c!).filter(Boolean);
}

/** One transaction of this user (or null): the only way to reach a single row. */
export async function getTransaction(db: Db, { userId, id }: { userId: string; id: string }) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const [row] = await db
    .select({ ...pageColumns, accountName: financialAccounts.name, raw: transactions.raw })
    .from(transactions)
    .innerJoin(financialAccounts, eq(financialAccounts.id, transactions.accountId))
    .where(and(eq(transactions.id, id), eq(transactions.userId, userId), isNull(transactions.deletedAt)));
  return row ?? null;
}

export type FilterTotals = { currency: string; count: number; moneyIn: string; moneyOut: string; net: string };

/**
 * Count and money in / out / net of everything the filter matches (all pages), per
 * currency (amounts in different currencies are never added together).
 */
export async function summarizeTransactions(db: Db, { userId, filters }: { userId: string; filters: Partial<TransactionFilters> }): Promise<FilterTotals[]> {
  const t = transactions;
  return db
    .select({
      currency: t.currency,
      count: sql<number>`count(*)::int`,
      moneyIn: sql<string>`coalesce(sum(${t.amount}) filter (where ${t.amount} > 0), 0)::text`,
      moneyOut: sql<string>`coalesce(sum(${t.amount}) filter (where ${t.amount} < 0), 0)::text`,
      net: sql<string>`coalesce(sum(${t.amount}), 0)::text`,
    })
    .from(t)
    // Rows the user excluded stay in the list but not in the totals.
    .where(and(whereForFilters(userId, filters), eq(t.excluded, false)))
    .groupBy(t.currency)
    .orderBy(sql`count(*) desc`, t.currency);
}

/** Distinct transaction types in use, for the filter picker. */
export async function listTypes(db: Db, { userId }: { userId: string }): Promise<string[]> {
  const rows = await db
    .selectDistinct({ v: transactions.type })
    .from(transactions)
    .where(and(eq(transactions.userId, userId), isNull(transactions.deletedAt), isNotNull(transactions.type)))
    .orderBy(transactions.type);
  return rows.map((r) => r.v!).filter(Boolean);
}
