import { randomUUID } from "node:crypto";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { webhookDeliveries, webhookSubscriptions } from "@/db/schema";

/** The events a subscription can ask for. */
export const WEBHOOK_EVENTS = [
  "sync.completed",
  "sync.failed",
  "transactions.added",
  "transactions.modified",
  "transactions.removed",
  "connection.reauth_required",
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export type EventEnvelope = { id: string; type: WebhookEvent; created_at: string; data: Record<string, unknown> };

/** Listeners told when deliveries were queued (the in-process fallback trigger). */
const listeners = new Set<() => void>();
export function onDeliveriesQueued(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * Record one event for every active subscription of this user that wants its type:
 * one delivery per subscription, all with the same event id (receivers dedupe on it).
 */
export async function emitEvent(db: Db, { userId, type, data, now = new Date() }: { userId: string; type: WebhookEvent; data: Record<string, unknown>; now?: Date }): Promise<{ eventId: string; deliveries: number }> {
  const subs = await db
    .select({ id: webhookSubscriptions.id })
    .from(webhookSubscriptions)
    .where(and(eq(webhookSubscriptions.userId, userId), eq(webhookSubscriptions.active, true), isNull(webhookSubscriptions.disabledAt), sql`${type} = any(${webhookSubscriptions.events})`));
  const eventId = randomUUID();
  if (!subs.length) return { eventId, deliveries: 0 };
  const payload: EventEnvelope = { id: eventId, type, created_at: now.toISOString(), data };
  await db.insert(webhookDeliveries).values(subs.map((s) => ({ subscriptionId: s.id, event: type, eventId, payload, status: "pending" as const, nextAttemptAt: now, createdAt: now })));
  for (const l of listeners) l();
  return { eventId, deliveries: subs.length };
}
