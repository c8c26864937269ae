import { withEditedFields } from "@/lib/transactions/edited";
import { and, asc, desc, eq, gt, gte, isNull, lte, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { balanceSnapshots, connections, financialAccounts, institutions, syncRuns, transactions } from "@/db/schema";
import { listConnections } from "@/lib/connections/service";
import { AppError } from "@/lib/errors";

/**
 * Paged reads for the public API. Every query is scoped by the owner; pages are keyset
 * pages on (sort key, id): no OFFSET, stable under inserts, `limit + 1` rows tell
 * whether another page follows. Timestamps go through the cursor as Postgres text so
 * microseconds survive the round trip.
 */

type Key = { k: string; i: string };

export function encodeKey(k: Key): string {
  return Buffer.from(JSON.stringify(k)).toString("base64url");
}

export function decodeKey(raw: string | undefined): Key | null {
  if (raw === undefined) return null;
  try {
    const c = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as Key;
    if (typeof c?.k === "string" && typeof c?.i === "string" && c.k.length < 100 && /^[0-9a-f-]{36}$/i.test(c.i)) return c;
  } catch {
    /* fall through */
  }
  throw new AppError("invalid_input", "That page cursor is not valid. Start again from the first page.", { fieldErrors: { cursor: ["Invalid page cursor."] } });
}

export type Page<T> = { rows: T[]; nextCursor: string | null };

function paged<T extends { id: string; _k: string }>(rows: T[], limit: number): Page<Omit<T, "_k">> {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return { rows: page.map(({ _k, ...r }) => r), nextCursor: more && last ? encodeKey({ k: last._k, i: last.id }) : null };
}

// ------------------------------------------------------------------ connections

/** Newest first: the Connections page's own query (lib/connections/service.ts), in keyset pages. */
export async function pageConnections(db: Db, { userId, limit, cursor }: { userId: string; limit: number; cursor?: string }) {
  const rows = await listConnections(db, { userId, limit: limit + 1, after: decodeKey(cursor) });
  return paged(rows.map((r) => ({ ...r, _k: r.sortKey })), limit);
}

export async function findConnection(db: Db, { userId, id }: { userId: string; id: string }) {
  const [row] = await listConnections(db, { userId, connectionId: id });
  return row ?? null;
}

export type ConnectionRow = NonNullable<Awaited<ReturnType<typeof findConnection>>>;

/** Runs of one connection, newest first (dry runs included, flagged). */
export async function pageRuns(db: Db, { userId, connectionId, limit, cursor }: { userId: string; connectionId: string; limit: number; cursor?: string }) {
  const after = decodeKey(cursor);
  const rows = await db
    .select({
      id: syncRuns.id,
      connectionId: syncRuns.connectionId,
      trigger: syncRuns.trigger,
      dryRun: syncRuns.dryRun,
      status: syncRuns.status,
      startedAt: syncRuns.startedAt,
      finishedAt: syncRuns.finishedAt,
      added: syncRuns.added,
      modified: syncRuns.modified,
      removed: syncRuns.removed,
      accounts: syncRuns.accounts,
      errorCode: syncRuns.errorCode,
      errorMessage: syncRuns.errorMessage,
      _k: sql<string>`${syncRuns.startedAt}::text`,
    })
    .from(syncRuns)
    .where(
      and(
        eq(syncRuns.userId, userId),
        eq(syncRuns.connectionId, connectionId),
        after ? sql`(${syncRuns.startedAt}, ${syncRuns.id}) < (${after.k}::timestamptz, ${after.i}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(syncRuns.startedAt), desc(syncRuns.id))
    .limit(limit + 1);
  return paged(rows, limit);
}

// ------------------------------------------------------------------ accounts

function accountSelect(db: Db) {
  return db
    .select({
      id: financialAccounts.id,
      connectionId: financialAccounts.connectionId,
      name: financialAccounts.name,
      officialName: financialAccounts.officialName,
      type: financialAccounts.type,
      subtype: financialAccounts.subtype,
      currency: financialAccounts.currency,
      mask: financialAccounts.mask,
      iban: financialAccounts.iban,
      institutionName: institutions.name,
      currentBalance: financialAccounts.currentBalance,
      availableBalance: financialAccounts.availableBalance,
      balanceUpdatedAt: financialAccounts.balanceUpdatedAt,
      hidden: financialAccounts.hidden,
      closedAt: financialAccounts.closedAt,
      _k: sql<string>`${financialAccounts.createdAt}::text`,
    })
    .from(financialAccounts)
    .innerJoin(connections, eq(connections.id, financialAccounts.connectionId))
    .leftJoin(institutions, eq(institutions.id, connections.institutionId));
}

/** Oldest first (the order they were linked). */
export async function pageAccounts(db: Db, { userId, limit, cursor, connectionId }: { userId: string; limit: number; cursor?: string; connectionId?: string }) {
  const after = decodeKey(cursor);
  const rows = await accountSelect(db)
    .where(
      and(
        eq(financialAccounts.userId, userId),
        connectionId ? eq(financialAccounts.connectionId, connectionId) : undefined,
        after ? sql`(${financialAccounts.createdAt}, ${financialAccounts.id}) > (${after.k}::timestamptz, ${after.i}::uuid)` : undefined,
      ),
    )
    .orderBy(asc(financialAccounts.createdAt), asc(financialAccounts.id))
    .limit(limit + 1);
  return paged(rows, limit);
}

export async function findAccount(db: Db, { userId, id }: { userId: string; id: string }) {
  const [row] = await accountSelect(db).where(and(eq(financialAccounts.userId, userId), eq(financialAccounts.id, id)));
  if (!row) return null;
  const { _k, ...r } = row;
  return r;
}

export type AccountRow = NonNullable<Awaited<ReturnType<typeof findAccount>>>;

/** One balance per day, oldest first, within [from, to]. The cursor is the last date. */
export async function pageBalanceHistory(
  db: Db,
  { userId, accountId, from, to, limit, cursor }: { userId: string; accountId: string; from?: string; to?: string; limit: number; cursor?: string },
) {
  const after = decodeKey(cursor);
  if (after && !/^\d{4}-\d{2}-\d{2}$/.test(after.k)) throw new AppError("invalid_input", "That page cursor is not valid.", { fieldErrors: { cursor: ["Invalid page cursor."] } });
  const rows = await db
    .select({
      id: balanceSnapshots.accountId,
      date: balanceSnapshots.date,
      current: balanceSnapshots.current,
      available: balanceSnapshots.available,
      currency: balanceSnapshots.currency,
      derived: balanceSnapshots.derived,
      _k: sql<string>`${balanceSnapshots.date}::text`,
    })
    .from(balanceSnapshots)
    .where(
      and(
        eq(balanceSnapshots.userId, userId),
        eq(balanceSnapshots.accountId, accountId),
        from ? gte(balanceSnapshots.date, from) : undefined,
        to ? lte(balanceSnapshots.date, to) : undefined,
        after ? gt(balanceSnapshots.date, after.k) : undefined,
      ),
    )
    .orderBy(asc(balanceSnapshots.date))
    .limit(limit + 1);
  return paged(rows, limit);
}

// ------------------------------------------------------------------ transactions & categories

export async function categoriesWithCounts(db: Db, { userId }: { userId: string }) {
  return db
    .select({ name: transactions.category, n: sql<number>`count(*)::int` })
    .from(transactions)
    .where(and(eq(transactions.userId, userId), isNull(transactions.deletedAt), sql`${transactions.category} is not null and ${transactions.category} <> ''`))
    .groupBy(transactions.category)
    .orderBy(asc(transactions.category)) as Promise<{ name: string; n: number }[]>;
}

/** Category / note / excluded of one of this user's transactions; null when it is not theirs. */
export async function patchTransaction(
  db: Db,
  { userId, id, patch }: { userId: string; id: string; patch: { category?: string | null; note?: string | null; excluded?: boolean } },
): Promise<boolean> {
  const edited = (["category", "note"] as const).filter((f) => patch[f] !== undefined);
  const set: Record<string, unknown> = { updatedAt: new Date() };
  if (patch.category !== undefined) set.category = patch.category || null;
  if (patch.note !== undefined) set.note = patch.note || null;
  if (patch.excluded !== undefined) set.excluded = patch.excluded;
  if (edited.length)
    set.userEditedFields = withEditedFields(edited);
  const rows = await db
    .update(transactions)
    .set(set)
    .where(and(eq(transactions.id, id), eq(transactions.userId, userId), isNull(transactions.deletedAt)))
    .returning({ id: transactions.id });
  return rows.length > 0;
}
