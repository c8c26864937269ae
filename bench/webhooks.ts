import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq, sql } from "drizzle-orm";
import { users, webhookAttempts, webhookDeliveries } from "@/db/schema";
import { createJobQueue } from "@/lib/jobs/queue";
import { defaultWebhookBatch, runDeliveryJob } from "@/lib/jobs/webhook-jobs";
import { emitEvent } from "@/lib/webhooks/events";
import { createSubscription } from "@/lib/webhooks/subscriptions";
import { benchDatabase, fmt, ms, percentile } from "./harness";

/**
 * Outbound webhooks as jobs against a real local receiver:
 * 1. throughput — 10k `transactions.added` events for one subscription are emitted (each a
 *    delivery row and a `webhook.deliver` job), then a worker (pg-boss, batches of
 *    BENCH_WEBHOOK_BATCH, BENCH_WEBHOOK_WORKERS polling loops) drains them: deliveries/s;
 * 2. latency — with the worker running, one event at a time: from the call that records the
 *    committed event to the receiver getting it (p50/p99), worker in the same process.
 */
export async function benchWebhooks(kind: "pglite" | "postgres", events = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 10_000)) {
  const d = await benchDatabase(kind);
  const db = d.db;
  const jobs = await createJobQueue(d, { url: d.url, supervise: false });
  const arrivals = new Map<string, number>();
  let received = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received++;
      arrivals.set(String(req.headers["ledgerlink-webhook-id"]), performance.now());
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const policy = { allowPrivate: true };
  // The worker's own default per database unless BENCH_WEBHOOK_BATCH says otherwise.
  const batch = Number(process.env.BENCH_WEBHOOK_BATCH ?? defaultWebhookBatch(kind));
  const loops = Number(process.env.BENCH_WEBHOOK_WORKERS ?? 2);
  try {
    const [u] = await db.insert(users).values({ email: `bench-${Date.now()}@example.com`, passwordHash: "x" }).returning({ id: users.id });
    await createSubscription(db, { userId: u!.id, url, events: ["transactions.added"] }, policy);
    let t0 = performance.now();
    for (let i = 0; i < events; i++) await emitEvent(db, { userId: u!.id, type: "transactions.added", data: { count: 1, transaction_ids: [String(i)] }, jobs });
    const emitMs = ms(t0);

    t0 = performance.now();
    await jobs.work("webhook.deliver", { pollMs: 500, batchSize: batch, concurrency: loops }, (data) => runDeliveryJob(db, jobs, { deliveryId: String(data.deliveryId) }, { policy }));
    const deadline = Date.now() + 30 * 60_000;
    for (;;) {
      const [left] = await db.select({ n: sql<number>`count(*)::int` }).from(webhookDeliveries).where(eq(webhookDeliveries.status, "pending"));
      if (left!.n === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const deliverMs = ms(t0);
    const [done] = await db.select({ n: sql<number>`count(*)::int` }).from(webhookDeliveries).where(eq(webhookDeliveries.status, "delivered"));
    const receivedAfterDrain = received;
    const [retried] = await db.select({ n: sql<number>`count(*)::int` }).from(webhookAttempts).where(sql`${webhookAttempts.error} is not null or ${webhookAttempts.responseStatus} >= 300`);

    // Latency: one event at a time, the worker polling in this process.
    const lat: number[] = [];
    const samples = Number(process.env.BENCH_WEBHOOK_SAMPLES ?? 200);
    for (let i = 0; i < samples; i++) {
      const sent = performance.now();
      const { eventId } = await emitEvent(db, { userId: u!.id, type: "transactions.added", data: { i }, jobs });
      const give = Date.now() + 30_000;
      while (!arrivals.has(eventId) && Date.now() < give) await new Promise((r) => setTimeout(r, 1));
      if (arrivals.has(eventId)) lat.push(arrivals.get(eventId)! - sent);
    }
    return {
      kind,
      events,
      batch,
      loops,
      emitMs,
      deliverMs,
      delivered: done!.n,
      received: receivedAfterDrain,
      failedAttempts: retried!.n,
      samples: lat.length,
      p50: percentile(lat, 50),
      p99: percentile(lat, 99),
    };
  } finally {
    await jobs.stop();
    server.closeAllConnections();
    server.close();
    await d.close();
  }
}

export function printWebhooks(r: Awaited<ReturnType<typeof benchWebhooks>>) {
  console.log(
    `webhooks [${r.kind}] (jobs, batch ${r.batch} × ${r.loops} loops): ${fmt(r.events)} events + jobs queued in ${fmt(r.emitMs)} ms (${fmt((r.events / r.emitMs) * 1000)}/s); ` +
      `delivered ${fmt(r.delivered)} (receiver got ${fmt(r.received)}; ${fmt(r.failedAttempts)} attempts failed and were retried) in ${fmt(r.deliverMs)} ms = ${fmt((r.delivered / r.deliverMs) * 1000)} deliveries/s; ` +
      `commit → receiver over ${r.samples} single events: p50 ${fmt(r.p50, 1)} ms, p99 ${fmt(r.p99, 1)} ms`,
  );
}
