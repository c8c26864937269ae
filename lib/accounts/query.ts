import { and, asc, eq, gte } from "drizzle-orm";
import type { Db } from "@/db/client";
import type { Identity } from "@/lib/connectors/contract";
import { openSecret } from "@/lib/crypto";
import { balanceSnapshots, connections, financialAccounts, institutions } from "@/db/schema";

/** Accounts of one user, with their connection and institution, for lists and pickers. */
export async function listAccounts(db: Db, { userId, includeHidden = false }: { userId: string; includeHidden?: boolean }) {
  return db
    .select({
      id: financialAccounts.id,
      name: financialAccounts.name,
      officialName: financialAccounts.officialName,
      type: financialAccounts.type,
      subtype: financialAccounts.subtype,
      currency: financialAccounts.currency,
      mask: financialAccounts.mask,
      iban: financialAccounts.iban,
      currentBalance: financialAccounts.currentBalance,
      availableBalance: financialAccounts.availableBalance,
      balanceUpdatedAt: financialAccounts.balanceUpdatedAt,
      hidden: financialAccounts.hidden,
      closedAt: financialAccounts.closedAt,
      connectionId: connections.id,
      connectionName: connections.displayName,
      connectionStatus: connections.status,
      institutionName: institutions.name,
    })
    .from(financialAccounts)
    .innerJoin(connections, eq(connections.id, financialAccounts.connectionId))
    .leftJoin(institutions, eq(institutions.id, connections.institutionId))
    .where(
      and(
        eq(financialAccounts.userId, userId),
        includeHidden ? undefined : eq(financialAccounts.hidden, false),
      ),
    )
    .orderBy(asc(connections.displayName), asc(financialAccounts.type), asc(financialAccounts.name));
}

export type AccountListItem = Awaited<ReturnType<typeof listAccounts>>[number];

/** One account of this user, or null. */
export async function getAccount(db: Db, { userId, id }: { userId: string; id: string }) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const rows = await listAccounts(db, { userId, includeHidden: true });
  return rows.find((a) => a.id === id) ?? null;
}

/** Daily balances of one account (provider snapshots and derived history). */
export async function balanceHistory(db: Db, { userId, accountId, from }: { userId: string; accountId: string; from?: string }) {
  return db
    .select({ date: balanceSnapshots.date, current: balanceSnapshots.current })
    .from(balanceSnapshots)
    .where(and(eq(balanceSnapshots.userId, userId), eq(balanceSnapshots.accountId, accountId), from ? gte(balanceSnapshots.date, from) : undefined))
    .orderBy(asc(balanceSnapshots.date));
}

/** The account owner's identity (names, emails, phones, addresses), decrypted, or null. */
export async function getAccountIdentity(db: Db, { userId, id }: { userId: string; id: string }): Promise<Identity | null> {
  const [row] = await db
    .select({ identity: financialAccounts.identity })
    .from(financialAccounts)
    .where(and(eq(financialAccounts.id, id), eq(financialAccounts.userId, userId)));
  return row?.identity ? openSecret<Identity>(row.identity, id) : null;
}
