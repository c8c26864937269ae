import { and, eq, ne } from "drizzle-orm";
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
