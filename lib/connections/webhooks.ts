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
  // Due now, in the same transaction as the replay id: the route queues the sync after the
  // commit, and if the process dies before that, the scheduler (sync.due) still runs it.
  await db.update(connections).set({ nextSyncAt: new Date() }).where(eq(connections.id, conn.id));
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

/** What a provider route declares: how to verify a request, and how long its replay ids matter. */
export type WebhookSpec = {
  provider: string;
  /** Verify the raw request (signature, timestamp window): the event and its replay id, or throw. */
  verify: () => Promise<{ event: WebhookEvent; replayId: string }>;
  /** Keep replay ids this long (older ones of this provider are pruned); absent: forever. */
  replayWindowMs?: number;
  now?: Date;
};

export type AcceptedWebhook =
  | { ok: true; event: WebhookEvent; next: Awaited<ReturnType<typeof applyWebhookEvent>> }
  | { ok: false; reason: "unverified" | "replay"; detail: string };

/**
 * The one path of every provider webhook: verify (any failure → unverified; nothing is
 * recorded, so a forger cannot pre-claim ids), then record the replay id AND apply the
 * event in ONE database transaction — an apply that fails leaves no id behind, so the
 * provider's retry is applied (not refused as a replay); a true replay changes nothing.
 *
 * A sync the event asks for is queued after the commit (the job queue is not part of
 * the app's transaction: on PGlite it shares the one connection). If queueing fails, the
 * id is released again, so the retry is accepted and queues it; if the process dies
 * before queueing, the connection was made due in the transaction and sync.due runs it.
 */
export async function acceptWebhook(
  db: Db,
  spec: WebhookSpec,
  enqueueSync: (input: { userId: string; connectionId: string }) => Promise<unknown>,
): Promise<AcceptedWebhook> {
  let verified;
  try {
    verified = await spec.verify();
  } catch (e) {
    return { ok: false, reason: "unverified", detail: (e as Error).message };
  }
  const { event, replayId } = verified;
  const applied = await db.transaction(async (tx) => {
    const first = spec.replayWindowMs !== undefined ? await firstDeliveryWithin(tx, spec.provider, replayId, spec.replayWindowMs, spec.now) : await firstDelivery(tx, spec.provider, replayId);
    if (!first) return null;
    return applyWebhookEvent(tx, spec.provider, event);
  });
  if (!applied) return { ok: false, reason: "replay", detail: replayId.slice(0, 16) };
  if (applied.action === "sync") {
    try {
      await enqueueSync({ userId: applied.userId, connectionId: applied.connectionId });
    } catch (e) {
      await db.delete(inboundWebhooks).where(and(eq(inboundWebhooks.provider, spec.provider), eq(inboundWebhooks.webhookId, replayId)));
      throw e;
    }
  }
  return { ok: true, event, next: applied };
}
