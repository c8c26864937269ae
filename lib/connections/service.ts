import { addDaysToInstant } from "@/lib/dates";
import { randomUUID } from "node:crypto";
import { and, count, desc, eq, lte, ne, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { auditLog, connections, financialAccounts, institutions, skills, syncRuns } from "@/db/schema";
import type { Connector, WidgetStart } from "@/lib/connectors/contract";
import { ConnectorUnavailable, getConnector, isConnectorId } from "@/lib/connectors/registry";
import { openSecret, sealSecret } from "@/lib/crypto";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";

/**
 * Linking, reconnecting and disconnecting. Provider secrets are sealed with the
 * connection id as associated data before they touch the database.
 */

export async function linkConnection(
  db: Db,
  input: { userId: string; connectorId: string; payload: unknown },
  deps: { connector?: Connector<unknown> } = {},
): Promise<{ connectionId: string; relinked: boolean }> {
  const connector = deps.connector ?? getConnector(input.connectorId);
  const result = await connector.completeLink(input.payload, { userId: input.userId });

  const [inst] = await db
    .insert(institutions)
    .values({
      connectorId: connector.id,
      providerInstitutionId: result.institution.providerInstitutionId,
      name: result.institution.name,
      country: result.institution.country ?? null,
      url: result.institution.url ?? null,
    })
    .onConflictDoUpdate({
      target: [institutions.connectorId, institutions.providerInstitutionId],
      set: { name: sql`excluded.name` },
    })
    .returning({ id: institutions.id });

  // The same provider login linked again: repair that connection instead of duplicating it.
  const [existing] = await db
    .select({ id: connections.id, userId: connections.userId })
    .from(connections)
    .where(and(eq(connections.connectorId, connector.id), eq(connections.providerItemId, result.providerItemId)));
  if (existing && existing.userId !== input.userId) throw new AppError("conflict", "This login is already linked to another account.");
  if (!existing && connector.capabilities.oneLoginPerInstitution) {
    const [same] = await db
      .select({ id: connections.id, name: connections.displayName })
      .from(connections)
      .where(and(eq(connections.userId, input.userId), eq(connections.connectorId, connector.id), eq(connections.institutionId, inst!.id), ne(connections.status, "disconnected")));
    if (same) {
      await connector.disconnect(result.credentials).catch((e) => log.warn("could not revoke duplicate login", { error: e }));
      throw new AppError("conflict", `${same.name} is already linked. Use Reconnect (or Renew consent) on that connection instead of linking it twice.`);
    }
  }
  const id = existing?.id ?? randomUUID();
  const credentials = sealSecret(result.credentials, id);
  if (existing) {
    await db
      .update(connections)
      .set({ credentials, status: "active", disconnectedAt: null, lastErrorCode: null, lastErrorMessage: null, consentExpiresAt: result.consentExpiresAt ?? null, updatedAt: new Date() })
      .where(eq(connections.id, id));
  } else {
    await db.insert(connections).values({
      id,
      userId: input.userId,
      connectorId: connector.id,
      institutionId: inst!.id,
      displayName: result.displayName,
      providerItemId: result.providerItemId,
      credentials,
      consentExpiresAt: result.consentExpiresAt ?? null,
      status: "active",
    });
  }
  await db.insert(auditLog).values({ userId: input.userId, action: existing ? "connection.relinked" : "connection.linked", targetType: "connection", targetId: id });
  return { connectionId: id, relinked: Boolean(existing) };
}

async function loadOwned(db: Db, userId: string, connectionId: string) {
  const [conn] = await db.select().from(connections).where(and(eq(connections.id, connectionId), eq(connections.userId, userId)));
  if (!conn) throw new AppError("not_found", "That connection does not exist.");
  return conn;
}

/**
 * What a provider widget needs to open, for a new link or (reconnectConnectionId) to repair
 * one of this user's connections: the connector's `prepareWidget` (a Plaid link token, a
 * Teller nonce). Another user's connection, one of another provider or a disconnected one
 * is not_found; a ConnectorError propagates (the action wrapper maps it).
 */
export async function prepareLinkStep(
  db: Db,
  input: { userId: string; connectorId: string; reconnectConnectionId?: string },
  deps: { connector?: Connector<unknown> } = {},
): Promise<WidgetStart> {
  const connector = deps.connector ?? offeredConnector(input.connectorId);
  if (!connector.prepareWidget) throw new AppError("invalid_input", `Linking with ${connector.displayName} needs no provider widget: there is nothing to start.`);
  let reconnect: { credentials: unknown } | undefined;
  if (input.reconnectConnectionId) {
    const [conn] = await db
      .select({ id: connections.id, status: connections.status, credentials: connections.credentials })
      .from(connections)
      .where(and(eq(connections.id, input.reconnectConnectionId), eq(connections.userId, input.userId), eq(connections.connectorId, connector.id)));
    if (!conn || conn.status === "disconnected") throw new AppError("not_found", "That connection does not exist.");
    reconnect = { credentials: connector.credentialsSchema.parse(openSecret(conn.credentials, conn.id)) };
  }
  return connector.prepareWidget({ userId: input.userId, ...(reconnect ? { reconnect } : {}) });
}

/** A connector this server offers, or an AppError that says why not (unknown id, not configured here). */
function offeredConnector(id: string): Connector<unknown> {
  if (!isConnectorId(id)) throw new AppError("invalid_input", `There is no provider called "${id.slice(0, 40)}".`);
  try {
    return getConnector(id);
  } catch (e) {
    if (e instanceof ConnectorUnavailable) throw new AppError("invalid_input", e.message);
    throw e;
  }
}

/** Repair a connection in place (new credentials for the same provider login). */
export async function reconnectConnection(
  db: Db,
  input: { userId: string; connectionId: string; payload?: unknown },
  deps: { connector?: Connector<unknown> } = {},
): Promise<void> {
  const conn = await loadOwned(db, input.userId, input.connectionId);
  if (conn.status === "disconnected") throw new AppError("invalid_request", "This connection was disconnected. Link the bank again instead.");
  const connector = deps.connector ?? getConnector(conn.connectorId);
  const current = connector.credentialsSchema.parse(openSecret(conn.credentials, conn.id));
  const result = await connector.completeLink(input.payload ?? {}, { userId: input.userId, reconnect: { credentials: current } });
  await db
    .update(connections)
    .set({
      credentials: sealSecret(result.credentials, conn.id),
      status: "active",
      lastErrorCode: null,
      lastErrorMessage: null,
      retryAt: null,
      consentExpiresAt: result.consentExpiresAt ?? conn.consentExpiresAt,
      updatedAt: new Date(),
    })
    .where(eq(connections.id, conn.id));
  await db.insert(auditLog).values({ userId: input.userId, action: "connection.reconnected", targetType: "connection", targetId: conn.id });
}

/**
 * Revoke access at the provider (best effort: a provider outage must not stop a user
 * from disconnecting), then either keep the imported data (connection marked
 * disconnected, secrets wiped) or delete everything.
 */
export async function disconnectConnection(
  db: Db,
  input: { userId: string; connectionId: string; keepData: boolean },
  deps: { connector?: Connector<unknown> } = {},
): Promise<{ revokedRemotely: boolean }> {
  const conn = await loadOwned(db, input.userId, input.connectionId);
  let revokedRemotely = conn.status === "disconnected";
  if (!revokedRemotely) {
    try {
      const connector = deps.connector ?? getConnector(conn.connectorId);
      await connector.disconnect(connector.credentialsSchema.parse(openSecret(conn.credentials, conn.id)));
      revokedRemotely = true;
    } catch (e) {
      log.warn("remote revoke failed; disconnecting locally", { connectionId: conn.id, error: e });
    }
  }
  if (input.keepData) {
    await db
      .update(connections)
      .set({ status: "disconnected", disconnectedAt: new Date(), credentials: sealSecret(null, conn.id), syncCursor: null, nextSyncAt: null, lockedUntil: null, lockOwner: null, updatedAt: new Date() })
      .where(eq(connections.id, conn.id));
  } else {
    await db.delete(connections).where(and(eq(connections.id, conn.id), eq(connections.userId, input.userId)));
  }
  await db.insert(auditLog).values({
    userId: input.userId,
    action: "connection.disconnected",
    targetType: "connection",
    targetId: conn.id,
    metadata: { keepData: input.keepData, revokedRemotely },
  });
  return { revokedRemotely };
}

// ------------------------------------------------------------------ queries

/**
 * The connection list — one query for the Connections page and the API: newest first, each
 * with its institution, skill and account count. `connectionId` narrows it to one; `limit`
 * and `after` (the previous row's `sortKey` and id) make keyset pages.
 */
export async function listConnections(
  db: Db,
  { userId, connectionId, limit, after }: { userId: string; connectionId?: string; limit?: number; after?: { k: string; i: string } | null },
) {
  const accountCounts = db
    .select({ connectionId: financialAccounts.connectionId, n: count().as("n") })
    .from(financialAccounts)
    .where(eq(financialAccounts.userId, userId))
    .groupBy(financialAccounts.connectionId)
    .as("ac");
  const q = db
    .select({
      id: connections.id,
      connectorId: connections.connectorId,
      displayName: connections.displayName,
      status: connections.status,
      institutionName: institutions.name,
      lastSyncedAt: connections.lastSyncedAt,
      nextSyncAt: connections.nextSyncAt,
      lastErrorCode: connections.lastErrorCode,
      lastErrorMessage: connections.lastErrorMessage,
      retryAt: connections.retryAt,
      providerItemId: connections.providerItemId,
      skillCode: skills.code,
      lockedUntil: connections.lockedUntil,
      consentExpiresAt: connections.consentExpiresAt,
      createdAt: connections.createdAt,
      accountCount: sql<number>`coalesce(${accountCounts.n}, 0)::int`,
      /** created_at as Postgres text (microseconds survive a page cursor). */
      sortKey: sql<string>`${connections.createdAt}::text`,
    })
    .from(connections)
    .leftJoin(institutions, eq(institutions.id, connections.institutionId))
    .leftJoin(skills, eq(skills.id, connections.skillId))
    .leftJoin(accountCounts, eq(accountCounts.connectionId, connections.id))
    .where(
      and(
        eq(connections.userId, userId),
        connectionId ? eq(connections.id, connectionId) : undefined,
        after ? sql`(${connections.createdAt}, ${connections.id}) < (${after.k}::timestamptz, ${after.i}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(connections.createdAt), desc(connections.id))
    .$dynamic();
  return limit === undefined ? q : q.limit(limit);
}

export type ConnectionListItem = Awaited<ReturnType<typeof listConnections>>[number];

export async function listSyncRuns(db: Db, { userId, connectionId, limit = 10 }: { userId: string; connectionId: string; limit?: number }) {
  return db
    .select()
    .from(syncRuns)
    .where(and(eq(syncRuns.userId, userId), eq(syncRuns.connectionId, connectionId)))
    .orderBy(desc(syncRuns.startedAt))
    .limit(limit);
}

export const CONSENT_WARNING_DAYS = 7;

/** Connections whose consent ends within `days` (or already ended), for warnings. */
export async function expiringConsents(db: Db, { userId, days = CONSENT_WARNING_DAYS, now = new Date() }: { userId: string; days?: number; now?: Date }) {
  const limit = addDaysToInstant(now, days);
  const rows = await db
    .select({ id: connections.id, displayName: connections.displayName, consentExpiresAt: connections.consentExpiresAt })
    .from(connections)
    .where(and(eq(connections.userId, userId), ne(connections.status, "disconnected"), lte(connections.consentExpiresAt, limit)));
  return rows;
}
