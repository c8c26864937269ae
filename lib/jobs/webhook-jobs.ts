import { and, eq, lte } from "drizzle-orm";
import type { Db } from "@/db/client";
import { webhookDeliveries } from "@/db/schema";
import { deliverOne, type DeliverOptions } from "@/lib/webhooks/deliver";
import { emitConsentExpiring } from "@/lib/webhooks/consent-events";
import { enqueueDeliveries, type DeliveryJobData } from "./deliveries";
import type { JobQueue } from "./queue";

/**
 * Outbound webhooks as jobs.
 *
 * - `webhook.deliver` {deliveryId}: one attempt. The delivery row is the truth: the attempt
 *   claims it (a second job for the same delivery, in any process, finds it claimed and
 *   does nothing), and a failed attempt queues the next job with startAfter = the retry
 *   schedule's next time (about 1 min, 5 min, 15 min, 1 h, 6 h). At least once, with the
 *   event id stable across attempts.
 * - `webhook.sweep` (every minute): queues a job for any pending delivery that is overdue
 *   (its job was lost: the enqueue failed after the event committed, a process died).
 * - `consent.expiring` (daily): emits `consent.expiring` once per consent and threshold.
 */

/**
 * Deliveries a worker takes per poll and sends at once. PGlite runs every query on one
 * connection in this thread, so a big batch only makes each delivery wait longer (its
 * 10 s timeout can then fire on a receiver that did answer); PostgreSQL has a pool.
 */
export function defaultWebhookBatch(kind: "pglite" | "postgres"): number {
  return kind === "pglite" ? 5 : 25;
}

export type DeliveryJobDeps = Omit<DeliverOptions, "now"> & { now?: () => Date };

export async function runDeliveryJob(db: Db, jobs: JobQueue, data: DeliveryJobData, deps: DeliveryJobDeps = {}): Promise<{ outcome: string; next?: string }> {
  const now = deps.now?.() ?? new Date();
  const r = await deliverOne(db, data.deliveryId, { ...deps, now });
  if (r === "delivered" || r === "failed") return { outcome: r };
  // Still pending (a retry is scheduled) or claimed/not yet due: make sure a job waits for it.
  const [d] = await db
    .select({ status: webhookDeliveries.status, nextAttemptAt: webhookDeliveries.nextAttemptAt })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.id, data.deliveryId));
  if (!d || d.status !== "pending" || !d.nextAttemptAt) return { outcome: r ?? "skipped" };
  await enqueueDeliveries(jobs, [{ id: data.deliveryId, at: d.nextAttemptAt }]);
  return { outcome: r ?? "skipped", next: d.nextAttemptAt.toISOString() };
}

/** How late a pending delivery must be before the sweep assumes its job was lost. */
export const SWEEP_GRACE_MS = 2 * 60_000;

export async function runWebhookSweep(db: Db, jobs: JobQueue, opts: { now?: Date; limit?: number } = {}): Promise<{ requeued: number }> {
  const now = opts.now ?? new Date();
  const overdue = await db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.status, "pending"), lte(webhookDeliveries.nextAttemptAt, new Date(now.getTime() - SWEEP_GRACE_MS))))
    .orderBy(webhookDeliveries.nextAttemptAt)
    .limit(opts.limit ?? 5000);
  // A delivery whose job still waits is skipped by the singleton key.
  await enqueueDeliveries(jobs, overdue.map((d) => ({ id: d.id, at: null })));
  return { requeued: overdue.length };
}

export async function runConsentExpiringJob(db: Db, jobs: JobQueue, opts: { now?: Date } = {}): Promise<{ emitted: number }> {
  return emitConsentExpiring(db, { now: opts.now, jobs });
}
