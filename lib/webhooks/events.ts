import { randomUUID } from "node:crypto";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { webhookDeliveries, webhookEventKeys, webhookSubscriptions } from "@/db/schema";
import { enqueueDeliveriesSafely } from "@/lib/jobs/deliveries";
import type { JobQueue } from "@/lib/jobs";

/** The events a subscription can ask for. */
export const WEBHOOK_EVENTS = [
  "sync.completed",
  "sync.failed",
  "transactions.added",
  "transactions.modified",
  "transactions.removed",
  "connection.reauth_required",
  "consent.expiring",
  "import.completed",
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export type EventEnvelope = { id: string; type: WebhookEvent; created_at: string; data: Record<string, unknown> };

export type EmitInput = {
  userId: string;
  type: WebhookEvent;
  data: Record<string, unknown>;
  now?: Date;
  /** Emit at most once per key (a repeat answers `duplicate: true` and records nothing). */
  dedupeKey?: string;
  /** The queue for the `webhook.deliver` jobs (default: this process's queue, if it has one). */
  jobs?: JobQueue | Promise<JobQueue> | null;
};

/**
 * Record one event for every active subscription of this user that wants its type: one
 * delivery per subscription, all with the same event id (receivers dedupe on it), and one
 * `webhook.deliver` job per delivery. Call it after the data it announces is committed
 * (never inside a transaction). A job that could not be queued is queued by the sweep.
 */
export async function emitEvent(db: Db, { userId, type, data, now = new Date(), dedupeKey, jobs }: EmitInput): Promise<{ eventId: string; deliveries: number; duplicate?: true }> {
  const eventId = randomUUID();
  if (dedupeKey) {
    const won = await db.insert(webhookEventKeys).values({ key: dedupeKey, userId, eventId, createdAt: now }).onConflictDoNothing().returning({ eventId: webhookEventKeys.eventId });
    if (!won.length) {
      const [prev] = await db.select({ eventId: webhookEventKeys.eventId }).from(webhookEventKeys).where(eq(webhookEventKeys.key, dedupeKey));
      return { eventId: prev?.eventId ?? eventId, deliveries: 0, duplicate: true };
    }
  }
  const subs = await db
    .select({ id: webhookSubscriptions.id })
    .from(webhookSubscriptions)
    .where(and(eq(webhookSubscriptions.userId, userId), eq(webhookSubscriptions.active, true), isNull(webhookSubscriptions.disabledAt), sql`${type} = any(${webhookSubscriptions.events})`));
  if (!subs.length) return { eventId, deliveries: 0 };
  const payload: EventEnvelope = { id: eventId, type, created_at: now.toISOString(), data };
  const rows = await db
    .insert(webhookDeliveries)
    .values(subs.map((s) => ({ subscriptionId: s.id, event: type, eventId, payload, status: "pending" as const, nextAttemptAt: now, createdAt: now })))
    .returning({ id: webhookDeliveries.id });
  await enqueueDeliveriesSafely(jobs, rows.map((r) => ({ id: r.id, at: now })));
  return { eventId, deliveries: subs.length };
}
