import { and, desc, eq, isNotNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { auditLog, webhookAttempts, webhookDeliveries, webhookSubscriptions } from "@/db/schema";
import { openSecret, sealSecret } from "@/lib/crypto";
import { enqueueDeliveriesSafely } from "@/lib/jobs/deliveries";
import type { JobQueue } from "@/lib/jobs/queue";
import { AppError } from "@/lib/errors";
import { assertDeliverable, defaultEgressPolicy, EgressRefused, type EgressPolicy } from "./egress";
import { WEBHOOK_EVENTS } from "./events";
import { newWebhookSecret } from "./signing";

/** How long the previous secret keeps signing after a rotation. */
export const ROTATION_OVERLAP_MS = 24 * 3600_000;
export const MAX_SUBSCRIPTIONS = 10;

export const subscriptionInputSchema = z.object({
  url: z.string().trim().min(1, "Enter the URL that should receive the events.").max(2000, "Use at most 2000 characters."),
  events: z.preprocess(
    (v) => (v === undefined || v === null || v === "" ? [] : Array.isArray(v) ? v : [v]),
    z.array(z.enum(WEBHOOK_EVENTS, { error: "Unknown event type." })).min(1, "Pick at least one event."),
  ),
});

/** The egress rules at creation (and on a URL change): https and a public address, as a field error. */
async function assertUrlAllowed(url: string, policy: EgressPolicy) {
  try {
    await assertDeliverable(url, policy);
  } catch (e) {
    if (e instanceof EgressRefused) throw new AppError("invalid_input", e.message, { fieldErrors: { url: [e.message] } });
    throw e;
  }
}

export async function createSubscription(
  db: Db,
  { userId, url, events }: { userId: string; url: string; events: string[] },
  policy: EgressPolicy = defaultEgressPolicy(),
): Promise<{ id: string; secret: string }> {
  const input = subscriptionInputSchema.parse({ url, events });
  await assertUrlAllowed(input.url, policy);
  const existing = await db.select({ id: webhookSubscriptions.id }).from(webhookSubscriptions).where(eq(webhookSubscriptions.userId, userId));
  if (existing.length >= MAX_SUBSCRIPTIONS) throw new AppError("invalid_input", `At most ${MAX_SUBSCRIPTIONS} webhooks. Delete one first.`);
  const id = crypto.randomUUID();
  const secret = newWebhookSecret();
  await db.insert(webhookSubscriptions).values({ id, userId, url: input.url, events: [...new Set(input.events)], secret: sealSecret(secret, id) });
  await db.insert(auditLog).values({ userId, action: "webhook.created", targetType: "webhook_subscription", targetId: id, metadata: { url: input.url } });
  return { id, secret };
}

async function owned(db: Db, userId: string, id: string) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AppError("not_found", "That webhook does not exist.");
  const [s] = await db.select().from(webhookSubscriptions).where(and(eq(webhookSubscriptions.id, id), eq(webhookSubscriptions.userId, userId)));
  if (!s) throw new AppError("not_found", "That webhook does not exist.");
  return s;
}

/** A new secret, shown once; the old one keeps signing (alongside) for the overlap. */
export async function rotateSecret(db: Db, { userId, id, now = new Date() }: { userId: string; id: string; now?: Date }): Promise<{ secret: string; previousValidUntil: Date }> {
  const s = await owned(db, userId, id);
  const secret = newWebhookSecret();
  const previousValidUntil = new Date(now.getTime() + ROTATION_OVERLAP_MS);
  await db
    .update(webhookSubscriptions)
    .set({ secret: sealSecret(secret, id), previousSecret: s.secret, previousSecretExpiresAt: previousValidUntil })
    .where(eq(webhookSubscriptions.id, id));
  await db.insert(auditLog).values({ userId, action: "webhook.secret_rotated", targetType: "webhook_subscription", targetId: id });
  return { secret, previousValidUntil };
}

/** The secrets that sign right now: the current one, plus the previous one during an overlap. */
export function liveSecrets(s: { id: string; secret: string; previousSecret: string | null; previousSecretExpiresAt: Date | null }, now: Date): string[] {
  const out = [openSecret<string>(s.secret, s.id)];
  if (s.previousSecret && s.previousSecretExpiresAt && s.previousSecretExpiresAt > now) out.push(openSecret<string>(s.previousSecret, s.id));
  return out;
}

export async function setSubscriptionActive(db: Db, { userId, id, active }: { userId: string; id: string; active: boolean }) {
  await owned(db, userId, id);
  await db
    .update(webhookSubscriptions)
    .set(active ? { active: true, disabledAt: null, disabledReason: null, failingSince: null } : { active: false })
    .where(eq(webhookSubscriptions.id, id));
}

/**
 * Change the URL (egress rules checked again), the events or the active flag. Turning a
 * subscription on clears a 3-day disable; the secret is untouched.
 */
export async function updateSubscription(
  db: Db,
  { userId, id, url, events, active }: { userId: string; id: string; url?: string; events?: string[]; active?: boolean },
  policy: EgressPolicy = defaultEgressPolicy(),
) {
  const s = await owned(db, userId, id);
  const set: Partial<typeof webhookSubscriptions.$inferInsert> = {};
  if (url !== undefined || events !== undefined) {
    const input = subscriptionInputSchema.parse({ url: url ?? s.url, events: events ?? s.events });
    if (url !== undefined && input.url !== s.url) {
      await assertUrlAllowed(input.url, policy);
      set.url = input.url;
    }
    if (events !== undefined) set.events = [...new Set(input.events)];
  }
  if (active === true) Object.assign(set, { active: true, disabledAt: null, disabledReason: null, failingSince: null });
  if (active === false) set.active = false;
  if (Object.keys(set).length) {
    await db.update(webhookSubscriptions).set(set).where(and(eq(webhookSubscriptions.id, id), eq(webhookSubscriptions.userId, userId)));
    await db.insert(auditLog).values({ userId, action: "webhook.updated", targetType: "webhook_subscription", targetId: id, metadata: { fields: Object.keys(set) } });
  }
  return getSubscription(db, { userId, id });
}

export async function deleteSubscription(db: Db, { userId, id }: { userId: string; id: string }) {
  await owned(db, userId, id);
  await db.delete(webhookSubscriptions).where(and(eq(webhookSubscriptions.id, id), eq(webhookSubscriptions.userId, userId)));
  await db.insert(auditLog).values({ userId, action: "webhook.deleted", targetType: "webhook_subscription", targetId: id });
}

const subscriptionColumns = {
  id: webhookSubscriptions.id,
  url: webhookSubscriptions.url,
  events: webhookSubscriptions.events,
  active: webhookSubscriptions.active,
  createdAt: webhookSubscriptions.createdAt,
  disabledAt: webhookSubscriptions.disabledAt,
  disabledReason: webhookSubscriptions.disabledReason,
  failingSince: webhookSubscriptions.failingSince,
  previousSecretExpiresAt: webhookSubscriptions.previousSecretExpiresAt,
};

/** This user's subscriptions that were turned off after failing for 3 days (for the notices). */
export async function disabledSubscriptions(db: Db, { userId }: { userId: string }) {
  return db
    .select({ id: webhookSubscriptions.id, url: webhookSubscriptions.url, disabledAt: webhookSubscriptions.disabledAt, disabledReason: webhookSubscriptions.disabledReason })
    .from(webhookSubscriptions)
    .where(and(eq(webhookSubscriptions.userId, userId), eq(webhookSubscriptions.active, false), isNotNull(webhookSubscriptions.disabledAt)))
    .orderBy(desc(webhookSubscriptions.disabledAt));
}

/** One of this user's subscriptions (no secret); not_found otherwise. */
export async function getSubscription(db: Db, { userId, id }: { userId: string; id: string }) {
  await owned(db, userId, id);
  const [s] = await db.select(subscriptionColumns).from(webhookSubscriptions).where(and(eq(webhookSubscriptions.id, id), eq(webhookSubscriptions.userId, userId)));
  if (!s) throw new AppError("not_found", "That webhook does not exist.");
  return s;
}

export type SubscriptionRow = Awaited<ReturnType<typeof getSubscription>>;

export async function listSubscriptions(db: Db, { userId }: { userId: string }) {
  return db
    .select(subscriptionColumns)
    .from(webhookSubscriptions)
    .where(eq(webhookSubscriptions.userId, userId))
    .orderBy(desc(webhookSubscriptions.createdAt));
}

/**
 * The delivery log of one of this user's subscriptions, newest first. `after` continues
 * after a row (keyset: created_at as text, id), for the API's pages.
 */
export async function listDeliveries(
  db: Db,
  { userId, subscriptionId, limit = 50, after }: { userId: string; subscriptionId: string; limit?: number; after?: { k: string; i: string } | null },
) {
  await owned(db, userId, subscriptionId);
  return db
    .select({
      id: webhookDeliveries.id,
      eventId: webhookDeliveries.eventId,
      event: webhookDeliveries.event,
      status: webhookDeliveries.status,
      attempts: webhookDeliveries.attempts,
      responseStatus: webhookDeliveries.responseStatus,
      durationMs: webhookDeliveries.durationMs,
      responseExcerpt: webhookDeliveries.responseExcerpt,
      lastError: webhookDeliveries.lastError,
      nextAttemptAt: webhookDeliveries.nextAttemptAt,
      createdAt: webhookDeliveries.createdAt,
      deliveredAt: webhookDeliveries.deliveredAt,
      sortKey: sql<string>`${webhookDeliveries.createdAt}::text`,
    })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.subscriptionId, subscriptionId),
        after ? sql`(${webhookDeliveries.createdAt}, ${webhookDeliveries.id}) < (${after.k}::timestamptz, ${after.i}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(limit);
}

export async function listAttempts(db: Db, { userId, deliveryId }: { userId: string; deliveryId: string }) {
  const [d] = await db
    .select({ sub: webhookDeliveries.subscriptionId })
    .from(webhookDeliveries)
    .innerJoin(webhookSubscriptions, eq(webhookSubscriptions.id, webhookDeliveries.subscriptionId))
    .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookSubscriptions.userId, userId)));
  if (!d) throw new AppError("not_found", "That delivery does not exist.");
  return db.select().from(webhookAttempts).where(eq(webhookAttempts.deliveryId, deliveryId)).orderBy(webhookAttempts.attempt);
}

/**
 * Send an event again: a new delivery with the same event id and body (receivers dedupe on
 * the id), queued as a `webhook.deliver` job. `subscriptionId` narrows it to one subscription.
 */
export async function redeliver(
  db: Db,
  { userId, deliveryId, subscriptionId, now = new Date(), jobs }: { userId: string; deliveryId: string; subscriptionId?: string; now?: Date; jobs?: JobQueue | Promise<JobQueue> | null },
): Promise<string> {
  if (!/^[0-9a-f-]{36}$/i.test(deliveryId)) throw new AppError("not_found", "That delivery does not exist.");
  const [d] = await db
    .select({ subscriptionId: webhookDeliveries.subscriptionId, event: webhookDeliveries.event, eventId: webhookDeliveries.eventId, payload: webhookDeliveries.payload })
    .from(webhookDeliveries)
    .innerJoin(webhookSubscriptions, eq(webhookSubscriptions.id, webhookDeliveries.subscriptionId))
    .where(
      and(
        eq(webhookDeliveries.id, deliveryId),
        eq(webhookSubscriptions.userId, userId),
        subscriptionId ? eq(webhookDeliveries.subscriptionId, subscriptionId) : undefined,
      ),
    );
  if (!d) throw new AppError("not_found", "That delivery does not exist.");
  const [row] = await db
    .insert(webhookDeliveries)
    .values({ ...d, status: "pending", nextAttemptAt: now, createdAt: now })
    .returning({ id: webhookDeliveries.id });
  await enqueueDeliveriesSafely(jobs, [{ id: row!.id, at: now }]);
  return row!.id;
}
