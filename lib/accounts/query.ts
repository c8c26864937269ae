import { and, asc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { connections, financialAccounts, institutions } from "@/db/schema";

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
