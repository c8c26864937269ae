import { millisecondsInDay, toIsoDate } from "@/lib/dates";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { and, eq, inArray, isNull, lte, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { auditLog, webhookAttempts, webhookDeliveries, webhookSubscriptions } from "@/db/schema";
import { log } from "@/lib/log";
import { assertDeliverable, defaultEgressPolicy, EgressRefused, guardedLookup, type EgressPolicy } from "./egress";
import { signatureHeader } from "./signing";
import { liveSecrets } from "./subscriptions";

/**
 * Outbound webhook delivery as plain functions: `deliverOne(db, id)` makes one attempt
 * (the `webhook.deliver` job in lib/jobs/webhook-jobs.ts calls it and queues the retry);
 * `deliverDue(db, now)` attempts everything due (tests with a fake clock, scripts).
 * At least once: a delivery is claimed (its next attempt pushed past the timeout)
 * before it is sent, so two workers never send the same attempt; it is retried on
 * failure after about 1 min, 5 min, 15 min, 1 h and 6 h, then marked failed. A
 * subscription that has failed for 3 days is disabled (and the user told).
 */

export const RETRY_DELAYS_MS = [60_000, 5 * 60_000, 15 * 60_000, 3600_000, 6 * 3600_000];
export const DISABLE_AFTER_MS = 3 * millisecondsInDay;
export const RESPONSE_CAP_BYTES = 64 * 1024;
export const EXCERPT_CHARS = 500;

export type DeliverOptions = { now?: Date; policy?: EgressPolicy; timeoutMs?: number };

type AttemptResult = { status: number | null; durationMs: number; excerpt: string | null; error: string | null };

/** POST the body; never follows redirects; caps time and response size. */
export async function postOnce(url: string, body: string, headers: Record<string, string>, policy: EgressPolicy, timeoutMs: number): Promise<AttemptResult> {
  const started = performance.now();
  const done = (r: Omit<AttemptResult, "durationMs">): AttemptResult => ({ ...r, durationMs: Math.round(performance.now() - started) });
  let u: URL;
  try {
    u = await assertDeliverable(url, policy);
  } catch (e) {
    if (e instanceof EgressRefused) return done({ status: null, excerpt: null, error: e.message });
    throw e;
  }
  return new Promise((resolve) => {
    const mod = u.protocol === "https:" ? https : http;
    const host = u.hostname.replace(/^\[|\]$/g, "");
    const req = mod.request(
      u,
      {
        method: "POST",
        headers: { ...headers, "content-length": Buffer.byteLength(body).toString() },
        // IP literals are checked above; names are checked again on the address connected to.
        ...(net.isIP(host) ? {} : { lookup: guardedLookup(policy) as never }),
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size <= RESPONSE_CAP_BYTES) chunks.push(c);
          else res.destroy();
        });
        const finish = () => resolve(done({ status: res.statusCode ?? null, excerpt: Buffer.concat(chunks).toString("utf8").slice(0, EXCERPT_CHARS), error: null }));
        res.on("end", finish);
        res.on("close", finish);
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    req.on("timeout", () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on("error", (e: NodeJS.ErrnoException) => resolve(done({ status: null, excerpt: null, error: e.name === "EgressRefused" || e.code === "EGRESS_REFUSED" ? e.message : e.message.slice(0, 200) })));
    req.on("close", () => clearTimeout(timer));
    req.end(body);
  });
}

/** Send one delivery now if it is still pending (returns its new status, or null if someone else has it). */
export async function deliverOne(db: Db, id: string, opts: DeliverOptions = {}): Promise<"delivered" | "pending" | "failed" | null> {
  const now = opts.now ?? new Date();
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const policy = opts.policy ?? defaultEgressPolicy();
  // Claim: push the next attempt past the timeout so a concurrent worker skips it.
  const [claimed] = await db
    .update(webhookDeliveries)
    .set({ nextAttemptAt: new Date(now.getTime() + timeoutMs + 60_000) })
    .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.status, "pending"), or(isNull(webhookDeliveries.nextAttemptAt), lte(webhookDeliveries.nextAttemptAt, now))))
    .returning();
  if (!claimed) return null;
  const [sub] = await db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, claimed.subscriptionId));
  if (!sub || !sub.active || sub.disabledAt) {
    await db.update(webhookDeliveries).set({ status: "failed", nextAttemptAt: null, lastError: "The webhook is turned off." }).where(eq(webhookDeliveries.id, id));
    return "failed";
  }
  const body = JSON.stringify(claimed.payload);
  const ts = Math.floor(now.getTime() / 1000);
  const headers = {
    "content-type": "application/json",
    "user-agent": "Ledgerlink-Webhooks/1",
    "ledgerlink-webhook-id": claimed.eventId,
    "ledgerlink-event": claimed.event,
    "ledgerlink-timestamp": String(ts),
    "ledgerlink-signature": signatureHeader(liveSecrets(sub, now), ts, body),
  };
  const r = await postOnce(sub.url, body, headers, policy, timeoutMs);
  const attempt = claimed.attempts + 1;
  const ok = r.status !== null && r.status >= 200 && r.status < 300;
  await db.insert(webhookAttempts).values({ deliveryId: id, attempt, startedAt: now, responseStatus: r.status, durationMs: r.durationMs, error: r.error, responseExcerpt: r.excerpt });
  const delay = RETRY_DELAYS_MS[attempt - 1];
  const status = ok ? "delivered" : delay === undefined ? "failed" : "pending";
  await db
    .update(webhookDeliveries)
    .set({
      status,
      attempts: attempt,
      responseStatus: r.status,
      durationMs: r.durationMs,
      responseExcerpt: r.excerpt,
      lastError: ok ? null : (r.error ?? `HTTP ${r.status}`),
      lastAttemptAt: now,
      nextAttemptAt: status === "pending" ? new Date(now.getTime() + delay!) : null,
      deliveredAt: ok ? now : null,
    })
    .where(eq(webhookDeliveries.id, id));
  if (ok) {
    if (sub.failingSince) await db.update(webhookSubscriptions).set({ failingSince: null }).where(eq(webhookSubscriptions.id, sub.id));
  } else if (!sub.failingSince) {
    await db.update(webhookSubscriptions).set({ failingSince: now }).where(eq(webhookSubscriptions.id, sub.id));
  } else if (now.getTime() - sub.failingSince.getTime() >= DISABLE_AFTER_MS) {
    const reason = `Turned off on ${toIsoDate(now)}: every delivery failed for 3 days (last: ${r.error ?? `HTTP ${r.status}`}).`;
    await db.update(webhookSubscriptions).set({ active: false, disabledAt: now, disabledReason: reason }).where(eq(webhookSubscriptions.id, sub.id));
    await db
      .update(webhookDeliveries)
      .set({ status: "failed", nextAttemptAt: null, lastError: "The webhook was turned off after failing for 3 days." })
      .where(and(eq(webhookDeliveries.subscriptionId, sub.id), eq(webhookDeliveries.status, "pending")));
    await db.insert(auditLog).values({ userId: sub.userId, action: "webhook.disabled", targetType: "webhook_subscription", targetId: sub.id, metadata: { reason } });
    log.warn("webhook subscription disabled after failing for 3 days", { subscriptionId: sub.id });
    return "failed";
  }
  return status;
}

/** Send every delivery that is due (a few at a time). Returns how each ended. */
export async function deliverDue(db: Db, now: Date = new Date(), opts: Omit<DeliverOptions, "now"> & { batch?: number; concurrency?: number } = {}) {
  const due = await db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.status, "pending"), lte(webhookDeliveries.nextAttemptAt, now)))
    .orderBy(webhookDeliveries.nextAttemptAt)
    .limit(opts.batch ?? 500);
  const counts = { delivered: 0, pending: 0, failed: 0, skipped: 0 };
  const queue = due.map((d) => d.id);
  const worker = async () => {
    for (let id = queue.shift(); id; id = queue.shift()) {
      const r = await deliverOne(db, id, { ...opts, now });
      counts[r ?? "skipped"]++;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 8) }, worker));
  return counts;
}

/** Deliveries still waiting (for the UI). */
export async function pendingCount(db: Db, subscriptionIds: string[]) {
  if (!subscriptionIds.length) return 0;
  const [r] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(webhookDeliveries)
    .where(and(inArray(webhookDeliveries.subscriptionId, subscriptionIds), eq(webhookDeliveries.status, "pending")));
  return r?.n ?? 0;
}

/**
 * Wait (bounded) for a delivery's first attempt, for a person who pressed "Redeliver":
 * its status after that attempt, or "queued" when no worker got to it in time.
 */
export async function waitForAttempt(db: Db, id: string, { timeoutMs = 12_000, pollMs = 150 }: { timeoutMs?: number; pollMs?: number } = {}): Promise<"delivered" | "pending" | "failed" | "queued"> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [d] = await db.select({ status: webhookDeliveries.status, attempts: webhookDeliveries.attempts }).from(webhookDeliveries).where(eq(webhookDeliveries.id, id));
    if (d && (d.status !== "pending" || d.attempts > 0)) return d.status;
    if (!d || Date.now() > deadline) return "queued";
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
