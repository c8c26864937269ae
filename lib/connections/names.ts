import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { auditLog, connections, financialAccounts, transactions } from "@/db/schema";
import { AppError } from "@/lib/errors";

/**
 * Naming connections and accounts, and what a connection brought in. Every function
 * takes the owner: another user's id is "not found", exactly like an id that does not exist.
 */

const CONTROL = /[\u0000-\u001f\u007f]/;
/** A display name: trimmed, inner whitespace collapsed, 1–80 characters, no control characters. */
export const displayNameSchema = z
  .string()
  .transform((s) => s.replace(/\s+/g, " ").trim())
  .pipe(
    z
      .string()
      .min(1, "Enter a name.")
      .max(80, "Use at most 80 characters.")
      .refine((s) => !CONTROL.test(s), "Remove the control characters from the name."),
  );

const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

export async function renameConnection(db: Db, { userId, connectionId, name }: { userId: string; connectionId: string; name: string }) {
  if (!isUuid(connectionId)) throw new AppError("not_found", "That connection does not exist.");
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select({ name: connections.displayName })
      .from(connections)
      .where(and(eq(connections.id, connectionId), eq(connections.userId, userId)))
      .for("update");
    if (!before) throw new AppError("not_found", "That connection does not exist.");
    if (before.name === name) return { name, changed: false };
    await tx.update(connections).set({ displayName: name, updatedAt: new Date() }).where(and(eq(connections.id, connectionId), eq(connections.userId, userId)));
    await tx.insert(auditLog).values({ userId, action: "connection.renamed", targetType: "connection", targetId: connectionId, metadata: { from: before.name, to: name } });
    return { name, changed: true };
  });
}

/** Rename an account; later syncs keep this name (name_edited) instead of the provider's. */
export async function renameAccount(db: Db, { userId, accountId, name }: { userId: string; accountId: string; name: string }) {
  if (!isUuid(accountId)) throw new AppError("not_found", "That account does not exist.");
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select({ name: financialAccounts.name })
      .from(financialAccounts)
      .where(and(eq(financialAccounts.id, accountId), eq(financialAccounts.userId, userId)))
      .for("update");
    if (!before) throw new AppError("not_found", "That account does not exist.");
    if (before.name === name) return { name, changed: false };
    await tx
      .update(financialAccounts)
      .set({ name, nameEdited: true, updatedAt: new Date() })
      .where(and(eq(financialAccounts.id, accountId), eq(financialAccounts.userId, userId)));
    await tx.insert(auditLog).values({ userId, action: "account.renamed", targetType: "account", targetId: accountId, metadata: { from: before.name, to: name } });
    return { name, changed: true };
  });
}

export type ArrivedAccount = {
  id: string;
  connectionId: string;
  name: string;
  type: string;
  subtype: string | null;
  mask: string | null;
  currency: string;
  currentBalance: string | null;
  transactions: number;
  firstDate: string | null;
  lastDate: string | null;
};

/** The accounts of the user's connections (or of one), with how many transactions arrived and the dates they cover. */
export async function connectionAccounts(db: Db, { userId, connectionId }: { userId: string; connectionId?: string }): Promise<ArrivedAccount[]> {
  if (connectionId !== undefined && !isUuid(connectionId)) return [];
  const stats = db
    .select({
      accountId: transactions.accountId,
      n: sql<number>`count(*)::int`.as("n"),
      first: sql<string | null>`min(${transactions.date})::text`.as("first"),
      last: sql<string | null>`max(${transactions.date})::text`.as("last"),
    })
    .from(transactions)
    .where(
      and(
        eq(transactions.userId, userId),
        isNull(transactions.deletedAt),
        connectionId ? sql`${transactions.accountId} in (select id from financial_accounts where connection_id = ${connectionId} and user_id = ${userId})` : undefined,
      ),
    )
    .groupBy(transactions.accountId)
    .as("s");
  const rows = await db
    .select({
      id: financialAccounts.id,
      connectionId: financialAccounts.connectionId,
      name: financialAccounts.name,
      type: financialAccounts.type,
      subtype: financialAccounts.subtype,
      mask: financialAccounts.mask,
      currency: financialAccounts.currency,
      currentBalance: financialAccounts.currentBalance,
      transactions: sql<number>`coalesce(${stats.n}, 0)::int`,
      firstDate: stats.first,
      lastDate: stats.last,
    })
    .from(financialAccounts)
    .leftJoin(stats, eq(stats.accountId, financialAccounts.id))
    .where(and(eq(financialAccounts.userId, userId), connectionId ? eq(financialAccounts.connectionId, connectionId) : undefined))
    .orderBy(asc(financialAccounts.type), asc(financialAccounts.name));
  return rows as ArrivedAccount[];
}
