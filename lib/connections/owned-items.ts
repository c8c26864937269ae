import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { connections } from "@/db/schema";

/** Provider item ids (Plaid items, Teller enrollments…) of this user's connections. */
export async function ownedProviderItemIds(db: Db, { userId, connectorId }: { userId: string; connectorId: string }): Promise<Set<string>> {
  const rows = await db
    .select({ id: connections.providerItemId })
    .from(connections)
    .where(and(eq(connections.userId, userId), eq(connections.connectorId, connectorId)));
  return new Set(rows.map((r) => r.id).filter((x): x is string => Boolean(x)));
}
