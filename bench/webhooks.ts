import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq, sql } from "drizzle-orm";
import { users, webhookDeliveries } from "@/db/schema";
import { deliverDue } from "@/lib/webhooks/deliver";
import { emitEvent } from "@/lib/webhooks/events";
import { startWebhookLoop } from "@/lib/webhooks/loop";
import { createSubscription } from "@/lib/webhooks/subscriptions";
import { benchDatabase, fmt, ms } from "./harness";

/**
 * Outbound webhooks against a real local receiver: deliveries per second for 10k queued
 * events, and the time from an event's commit to the receiver getting it (in-process loop).
 */
export async function benchWebhooks(kind: "pglite" | "postgres", events = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 10_000)) {
  const d = await benchDatabase(kind);
  const db = d.db;
  const arrivals = new Map<string, number>();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      arrivals.set(String(req.headers["ledgerlink-webhook-id"]), performance.now());
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const policy = { allowPrivate: true };
  try {
    const [u] = await db.insert(users).values({ email: `bench-${Date.now()}@example.com`, passwordHash: "x" }).returning({ id: users.id });
    await createSubscription(db, { userId: u!.id, url, events: ["transactions.added"] }, policy);
    let t0 = performance.now();
    for (let i = 0; i < events; i++) await emitEvent(db, { userId: u!.id, type: "transactions.added", data: { count: 1, transaction_ids: [String(i)] } });
    const emitMs = ms(t0);
    t0 = performance.now();
    for (;;) {
      const c = await deliverDue(db, new Date(), { policy, batch: 1000, concurrency: 16 });
      if (c.delivered + c.pending + c.failed + c.skipped === 0) break;
    }
    const deliverMs = ms(t0);
    const [left] = await db.select({ n: sql<number>`count(*)::int` }).from(webhookDeliveries).where(eq(webhookDeliveries.status, "delivered"));

    // Latency: events one at a time through the in-process loop.
    process.env.LEDGERLINK_WEBHOOK_ALLOW_PRIVATE = "on";
    const loop = startWebhookLoop(async () => db, 3600_000);
    const lat: number[] = [];
    for (let i = 0; i < 200; i++) {
      const sent = performance.now();
      const { eventId } = await emitEvent(db, { userId: u!.id, type: "transactions.added", data: { i } });
      while (!arrivals.has(eventId)) await new Promise((r) => setTimeout(r, 1));
      lat.push(arrivals.get(eventId)! - sent);
    }
    await loop.stop();
    lat.sort((a, b) => a - b);
    return { kind, events, emitMs, deliverMs, delivered: left!.n, p50: lat[Math.floor(lat.length * 0.5)]!, p99: lat[Math.floor(lat.length * 0.99)]! };
  } finally {
    server.close();
    await d.close();
  }
}

export function printWebhooks(r: Awaited<ReturnType<typeof benchWebhooks>>) {
  console.log(
    `webhooks [${r.kind}]: ${fmt(r.events)} events queued in ${fmt(r.emitMs)} ms; delivered ${fmt(r.delivered)} in ${fmt(r.deliverMs)} ms = ${fmt((r.delivered / r.deliverMs) * 1000)} deliveries/s; commit → receiver p50 ${fmt(r.p50, 1)} ms, p99 ${fmt(r.p99, 1)} ms`,
  );
}
