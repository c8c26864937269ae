import { and, eq, lt, ne } from "drizzle-orm";
import type { Db } from "@/db/client";
import { auditLog, connections, inboundWebhooks } from "@/db/schema";
import type { WebhookEvent } from "@/lib/connectors/contract";

/**
 * Apply a verified provider webhook to the connection it names. Returns what to do next
 * (the route enqueues syncs). Unknown items are ignored: the provider may still know an
 * item we deleted.
 */
export async function applyWebhookEvent(
  db: Db,
  connectorId: string,
  event: WebhookEvent,
): Promise<{ action: "sync"; userId: string; connectionId: string } | { action: "none" }> {
  if (event.kind === "ignored") return { action: "none" };
  const [conn] = await db
    .select({ id: connections.id, userId: connections.userId, status: connections.status })
    .from(connections)
    .where(and(eq(connections.connectorId, connectorId), eq(connections.providerItemId, event.providerItemId), ne(connections.status, "disconnected")));
  if (!conn) return { action: "none" };
  if (event.kind === "reauth_required") {
    await db
      .update(connections)
      .set({ status: "reauth_required", lastErrorCode: "reauth_required", lastErrorMessage: event.reason, nextSyncAt: null, updatedAt: new Date() })
      .where(eq(connections.id, conn.id));
    await db.insert(auditLog).values({ userId: conn.userId, action: "connection.reauth_required", targetType: "connection", targetId: conn.id, metadata: { via: "webhook" } });
    return { action: "none" };
  }
  return { action: "sync", userId: conn.userId, connectionId: conn.id };
}

/** Record a provider webhook id; false if it was seen before (a replay). */
export async function firstDelivery(db: Db, provider: string, webhookId: string): Promise<boolean> {
  const rows = await db.insert(inboundWebhooks).values({ provider, webhookId }).onConflictDoNothing().returning({ id: inboundWebhooks.webhookId });
  return rows.length > 0;
}

/**
 * Record a verified webhook's replay id, valid for `windowMs` (Plaid: a JWT is only
 * accepted for 5 minutes, so its ids need not be kept longer; older ones of that provider
 * are pruned here). False if the same id was recorded inside the window: a replay.
 */
export async function firstDeliveryWithin(db: Db, provider: string, replayId: string, windowMs: number, now = new Date()): Promise<boolean> {
  await db.delete(inboundWebhooks).where(and(eq(inboundWebhooks.provider, provider), lt(inboundWebhooks.receivedAt, new Date(now.getTime() - windowMs))));
  const rows = await db.insert(inboundWebhooks).values({ provider, webhookId: replayId, receivedAt: now }).onConflictDoNothing().returning({ id: inboundWebhooks.webhookId });
  return rows.length > 0;
}

export type InboundWebhook = { ok: true; event: WebhookEvent } | { ok: false; reason: "unverified" | "replay"; detail: string };

/**
 * The one path of a provider webhook before it touches any connection: verify (any
 * failure → unverified), then record its replay id in the database (seen before →
 * replay). Only verified messages are recorded, so a forger cannot pre-claim ids.
 */
export async function receiveWebhook(
  db: Db,
  provider: string,
  verify: () => Promise<{ event: WebhookEvent; replayId: string }>,
  record: (replayId: string) => Promise<boolean> = (id) => firstDelivery(db, provider, id),
): Promise<InboundWebhook> {
  let verified;
  try {
    verified = await verify();
  } catch (e) {
    return { ok: false, reason: "unverified", detail: (e as Error).message };
  }
  if (!(await record(verified.replayId))) return { ok: false, reason: "replay", detail: verified.replayId.slice(0, 16) };
  return { ok: true, event: verified.event };
}
