import http from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { auditLog, connections, financialAccounts, syncRuns, webhookAttempts, webhookDeliveries, webhookSubscriptions } from "@/db/schema";
import type { Connector } from "@/lib/connectors/contract";
import { AccountReadFailed, ConnectorError } from "@/lib/connectors/errors";
import { getConnector } from "@/lib/connectors/registry";
import { openSecret } from "@/lib/crypto";
import { fakeClock } from "@/test/sync-harness";
import { commitImport } from "@/lib/statements/import";
import { emitConsentExpiring } from "./consent-events";
import { linkConnection } from "@/lib/connections/service";
import { startWorker } from "@/lib/jobs";
import { createJobQueue, type JobQueue } from "@/lib/jobs/queue";
import { runDeliveryJob, runWebhookSweep, SWEEP_GRACE_MS } from "@/lib/jobs/webhook-jobs";
import { syncConnection } from "@/lib/sync/engine";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { seedUser } from "@/test/fixtures";
import { deliverDue, deliverOne, RETRY_DELAYS_MS } from "./deliver";
import { isPublicAddress } from "./egress";
import { emitEvent } from "./events";
import { listAuditTrail } from "@/lib/audit/trail";
import { createSubscription, disabledSubscriptions, listDeliveries, redeliver, rotateSecret, updateSubscription } from "./subscriptions";
import { verifyLedgerlinkWebhook } from "./verifier";

let t: TestDatabase;
let jobs: JobQueue;
// A database and pg-boss's schema in it: over a minute on PGlite when the machine is shared.
beforeAll(async () => {
  t = await createTestDatabase();
  jobs = await createJobQueue(t, { url: t.url, supervise: false });
}, 180_000);
afterAll(async () => {
  await jobs.stop();
  await t.close();
});
beforeEach(() => truncateAll(t));

// ------------------------------------------------------------------ a real receiver

type Received = { headers: Record<string, string>; body: string };
type Behaviour = (n: number) => { status: number; delayMs?: number; body?: string };
let server: http.Server | null = null;
let received: Received[] = [];

async function receiver(behaviour: Behaviour = () => ({ status: 200, body: "ok" })): Promise<string> {
  received = [];
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString("utf8") });
      const b = behaviour(received.length);
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(b.status, { "content-type": "text/plain" });
        res.end(b.body ?? `status ${b.status}`);
      };
      if (b.delayMs) setTimeout(send, b.delayMs);
      else send();
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/hooks`;
}
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
});

const LOCAL = { allowPrivate: true };
const STRICT = { allowPrivate: false };
const T0 = new Date(Date.UTC(2026, 0, 15, 12));
const at = (ms: number) => new Date(T0.getTime() + ms);

async function subscribed(url: string, events = ["sync.completed", "transactions.added"]) {
  const u = await seedUser(t.db);
  const sub = await createSubscription(t.db, { userId: u.userId, url, events }, LOCAL);
  return { ...u, sub };
}

describe("outbound webhooks", () => {
  it("signs `timestamp.body` with HMAC-SHA256: the README's verifier accepts it, and rejects a tampered body, a wrong secret and a replay after 5 minutes", async () => {
    const url = await receiver();
    const { userId, sub } = await subscribed(url);
    const { eventId } = await emitEvent(t.db, { userId, type: "sync.completed", data: { added: 3 }, now: T0 });
    expect(await deliverDue(t.db, T0, { policy: LOCAL })).toMatchObject({ delivered: 1 });
    expect(received).toHaveLength(1);
    const { headers, body } = received[0]!;
    expect(headers["ledgerlink-webhook-id"]).toBe(eventId);
    expect(JSON.parse(body)).toEqual({ id: eventId, type: "sync.completed", created_at: T0.toISOString(), data: { added: 3 } });
    expect(verifyLedgerlinkWebhook(sub.secret, body, headers, T0.getTime() + 1000)).toBe(true);
    expect(verifyLedgerlinkWebhook(sub.secret, body.replace("3", "4"), headers, T0.getTime())).toBe(false);
    expect(verifyLedgerlinkWebhook("whsec_wrong", body, headers, T0.getTime())).toBe(false);
    expect(verifyLedgerlinkWebhook(sub.secret, body, headers, T0.getTime() + 301_000)).toBe(false);
    expect(verifyLedgerlinkWebhook(sub.secret, body, { ...headers, "ledgerlink-timestamp": String(T0.getTime() / 1000 + 60) }, T0.getTime())).toBe(false);
    const [d] = await listDeliveries(t.db, { userId, subscriptionId: sub.id });
    expect(d).toMatchObject({ status: "delivered", attempts: 1, responseStatus: 200, responseExcerpt: "ok" });
    expect(d!.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("retries a 500 after 1 min, 5 min, 15 min, 1 h and 6 h (fake clock), then gives up; each attempt is logged", async () => {
    const url = await receiver(() => ({ status: 500, body: "boom" }));
    const { userId, sub } = await subscribed(url);
    await emitEvent(t.db, { userId, type: "sync.completed", data: {}, now: T0 });
    let now = 0;
    const times: number[] = [];
    for (let i = 0; i < 6; i++) {
      // Nothing is sent a second early.
      if (i > 0) expect(await deliverDue(t.db, at(now - 1000), { policy: LOCAL })).toMatchObject({ delivered: 0, pending: 0, failed: 0 });
      await deliverDue(t.db, at(now), { policy: LOCAL });
      times.push(now);
      const [d] = await t.db.select().from(webhookDeliveries);
      if (i < 5) now = d!.nextAttemptAt!.getTime() - T0.getTime();
      else expect(d).toMatchObject({ status: "failed", attempts: 6, nextAttemptAt: null, lastError: "HTTP 500", responseExcerpt: "boom" });
    }
    expect(times.slice(1).map((x, i) => x - times[i]!)).toEqual(RETRY_DELAYS_MS);
    expect(received).toHaveLength(6);
    expect(new Set(received.map((r) => r.headers["ledgerlink-webhook-id"])).size).toBe(1);
    expect(await t.db.select().from(webhookAttempts)).toHaveLength(6);
    expect((await t.db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, sub.id)))[0]!.failingSince).toEqual(T0);
  });

  it("a receiver that answers too late twice and then 200 gets exactly one success recorded", async () => {
    const url = await receiver((n) => (n <= 2 ? { status: 200, delayMs: 800 } : { status: 200, body: "finally" }));
    const { userId } = await subscribed(url);
    await emitEvent(t.db, { userId, type: "sync.completed", data: {}, now: T0 });
    expect(await deliverDue(t.db, at(0), { policy: LOCAL, timeoutMs: 200 })).toMatchObject({ pending: 1 });
    expect(await deliverDue(t.db, at(RETRY_DELAYS_MS[0]!), { policy: LOCAL, timeoutMs: 200 })).toMatchObject({ pending: 1 });
    expect(await deliverDue(t.db, at(RETRY_DELAYS_MS[0]! + RETRY_DELAYS_MS[1]!), { policy: LOCAL, timeoutMs: 200 })).toMatchObject({ delivered: 1 });
    expect(await deliverDue(t.db, at(30 * 86_400_000), { policy: LOCAL, timeoutMs: 200 })).toMatchObject({ delivered: 0, pending: 0 });
    const attempts = await t.db.select().from(webhookAttempts).orderBy(webhookAttempts.attempt);
    expect(attempts.map((a) => [a.responseStatus, a.error?.includes("timed out") ?? false])).toEqual([
      [null, true],
      [null, true],
      [200, false],
    ]);
    const [d] = await t.db.select().from(webhookDeliveries);
    expect(d).toMatchObject({ status: "delivered", attempts: 3, responseExcerpt: "finally" });
  });

  it("rotating the secret signs with both during the overlap, then only the new one", async () => {
    const url = await receiver();
    const { userId, sub } = await subscribed(url);
    const rotated = await rotateSecret(t.db, { userId, id: sub.id, now: T0 });
    await emitEvent(t.db, { userId, type: "sync.completed", data: {}, now: at(1000) });
    await deliverDue(t.db, at(1000), { policy: LOCAL });
    const first = received[0]!;
    expect(first.headers["ledgerlink-signature"]!.split(",")).toHaveLength(2);
    expect(verifyLedgerlinkWebhook(sub.secret, first.body, first.headers, at(1000).getTime())).toBe(true);
    expect(verifyLedgerlinkWebhook(rotated.secret, first.body, first.headers, at(1000).getTime())).toBe(true);
    const later = at(25 * 3600_000);
    await emitEvent(t.db, { userId, type: "sync.completed", data: {}, now: later });
    await deliverDue(t.db, later, { policy: LOCAL });
    const second = received[1]!;
    expect(verifyLedgerlinkWebhook(sub.secret, second.body, second.headers, later.getTime())).toBe(false);
    expect(verifyLedgerlinkWebhook(rotated.secret, second.body, second.headers, later.getTime())).toBe(true);
  });

  it("refuses private, loopback, link-local and metadata targets at creation, and again at delivery time", async () => {
    const u = await seedUser(t.db);
    for (const url of ["http://example.com/x", "https://127.0.0.1/x", "https://10.1.2.3/x", "https://169.254.169.254/latest", "https://[::1]/x", "https://[fd00:ec2::254]/x", "https://user:pw@example.com/", "not a url"]) {
      await expect(createSubscription(t.db, { userId: u.userId, url, events: ["sync.completed"] }, STRICT), url).rejects.toMatchObject({ code: "invalid_input" });
    }
    await expect(createSubscription(t.db, { userId: u.userId, url: "https://localhost/x", events: ["sync.completed"] }, STRICT)).rejects.toMatchObject({ code: "invalid_input" });
    expect(await t.db.select().from(webhookSubscriptions)).toHaveLength(0);
    expect([isPublicAddress("8.8.8.8"), isPublicAddress("::ffff:127.0.0.1"), isPublicAddress("100.64.1.1"), isPublicAddress("2606:4700::1111")]).toEqual([true, false, false, true]);
    // Allowed when created (e.g. it resolved publicly then), but resolving to loopback when delivered: refused, nothing sent.
    const url = await receiver();
    const port = new URL(url).port;
    const sub = await createSubscription(t.db, { userId: u.userId, url: `https://localhost:${port}/hooks`, events: ["sync.completed"] }, LOCAL);
    await emitEvent(t.db, { userId: u.userId, type: "sync.completed", data: {}, now: T0 });
    await deliverDue(t.db, T0, { policy: STRICT });
    expect(received).toHaveLength(0);
    const [d] = await listDeliveries(t.db, { userId: u.userId, subscriptionId: sub.id });
    expect(d!.lastError).toMatch(/private or local/);
  });

  it("a subscription failing for 3 days is turned off and the user is told; redeliver sends the same event id again", async () => {
    let fail = true;
    const url = await receiver(() => (fail ? { status: 503 } : { status: 204 }));
    const { userId, sub } = await subscribed(url);
    await emitEvent(t.db, { userId, type: "sync.completed", data: {}, now: T0 });
    await deliverDue(t.db, T0, { policy: LOCAL });
    await emitEvent(t.db, { userId, type: "sync.completed", data: {}, now: at(3 * 86_400_000 + 1) });
    await deliverDue(t.db, at(3 * 86_400_000 + 1), { policy: LOCAL, batch: 1 });
    const [s] = await t.db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, sub.id));
    expect(s!.active).toBe(false);
    expect(s!.disabledReason).toMatch(/failed for 3 days/);
    expect((await t.db.select().from(auditLog).where(eq(auditLog.action, "webhook.disabled"))).length).toBe(1);
    expect(await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.status, "pending"))).toHaveLength(0);
    // New events are not queued for a disabled subscription.
    expect((await emitEvent(t.db, { userId, type: "sync.completed", data: {}, now: at(4 * 86_400_000) })).deliveries).toBe(0);
    // What Settings and Settings → Webhooks show (only to this user), and the activity trail.
    expect(await disabledSubscriptions(t.db, { userId })).toEqual([{ id: sub.id, url, disabledAt: at(3 * 86_400_000 + 1), disabledReason: s!.disabledReason }]);
    expect(await disabledSubscriptions(t.db, { userId: (await seedUser(t.db)).userId })).toEqual([]);
    expect((await listAuditTrail(t.db, { userId })).map((e) => e.label)).toContain("Webhook turned off: it failed for 3 days");
    // Turned back on, the notice goes and a failed delivery can be sent again with the same event id.
    await updateSubscription(t.db, { userId, id: sub.id, active: true });
    expect(await disabledSubscriptions(t.db, { userId })).toEqual([]);
    expect((await t.db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, sub.id)))[0]).toMatchObject({ active: true, disabledAt: null, disabledReason: null, failingSince: null });
    fail = false;
    const [old] = await listDeliveries(t.db, { userId, subscriptionId: sub.id });
    const other = await seedUser(t.db);
    await expect(redeliver(t.db, { userId: other.userId, deliveryId: old!.id })).rejects.toMatchObject({ code: "not_found" });
    const again = await redeliver(t.db, { userId, deliveryId: old!.id, now: at(5 * 86_400_000) });
    expect(await deliverOne(t.db, again, { now: at(5 * 86_400_000), policy: LOCAL })).toBe("delivered");
    expect(received.at(-1)!.headers["ledgerlink-webhook-id"]).toBe(old!.eventId);
  });

  it("a sync emits sync.completed with counts and transactions.added with the new ids", async () => {
    const url = await receiver();
    const { userId } = await subscribed(url, ["sync.completed", "transactions.added", "sync.failed"]);
    const { connectionId } = await linkConnection(t.db, { userId, connectorId: "demo", payload: { institutionId: "demo_platypus", historyDays: 10, seed: 5 } });
    const r = await syncConnection(t.db, { userId, connectionId, trigger: "manual" });
    expect(r.status).toBe("success");
    await deliverDue(t.db, new Date(Date.now() + 1000), { policy: LOCAL });
    const bodies = received.map((x) => JSON.parse(x.body) as { type: string; data: Record<string, unknown> });
    const done = bodies.find((b) => b.type === "sync.completed")!;
    const added = bodies.find((b) => b.type === "transactions.added")!;
    expect(done.data).toMatchObject({ connection_id: connectionId, status: "success", added: (r as { diff: { added: number } }).diff.added, modified: 0, removed: 0 });
    expect(done.data).not.toHaveProperty("account_warnings");
    expect(added.data.count).toBe((r as { diff: { added: number } }).diff.added);
    expect((added.data.transaction_ids as string[]).length).toBe(Math.min(50, added.data.count as number));
    // A dry run emits nothing.
    const before = (await t.db.select().from(webhookDeliveries)).length;
    await syncConnection(t.db, { userId, connectionId, trigger: "manual", dryRun: true });
    expect((await t.db.select().from(webhookDeliveries)).length).toBe(before);
  });
});

describe("a partial sync's events", () => {
  it("sync.completed says status partial, with the account that could not be read (ours and the provider's id) and why", async () => {
    const { userId } = await seedUser(t.db);
    await createSubscription(t.db, { userId, url: "http://127.0.0.1:9/partial", events: ["sync.completed", "sync.failed"] }, LOCAL);
    const demo = getConnector("demo") as Connector<unknown>;
    const { connectionId } = await linkConnection(t.db, { userId, connectorId: "demo", payload: { institutionId: "demo_platypus", historyDays: 10, seed: 5 } });
    const [conn] = await t.db.select().from(connections).where(eq(connections.id, connectionId));
    const bad = (await demo.listAccounts(demo.credentialsSchema.parse(openSecret(conn!.credentials, conn!.id))))[0]!.providerAccountId;
    // The demo bank, except that one account's transactions cannot be read this time (every retry fails).
    const connector: Connector<unknown> = {
      ...demo,
      async fetchTransactions(c, input) {
        const page = await demo.fetchTransactions(c, input);
        if (input.cursor !== null) return page;
        const warning = { providerAccountId: bad, code: "provider_unavailable", message: "The bank did not answer for this account." };
        const skip = { ...page, added: page.added.filter((x) => x.providerAccountId !== bad), accountWarnings: [warning] };
        throw new AccountReadFailed(bad, new ConnectorError("provider_unavailable", warning.message), skip);
      },
    };
    const r = await syncConnection(t.db, { userId, connectionId, trigger: "manual" }, { connector, clock: fakeClock() });
    expect(r).toMatchObject({ status: "success", accountWarnings: [{ providerAccountId: bad }] });
    const [run] = await t.db.select().from(syncRuns).where(eq(syncRuns.connectionId, connectionId));
    expect(run).toMatchObject({ status: "partial" });

    const events = (await t.db.select().from(webhookDeliveries)).map((d) => d.payload as { type: string; data: Record<string, unknown> });
    expect(events.map((e) => e.type)).toEqual(["sync.completed"]);
    const [ours] = await t.db.select({ id: financialAccounts.id }).from(financialAccounts).where(and(eq(financialAccounts.connectionId, connectionId), eq(financialAccounts.providerAccountId, bad)));
    expect(events[0]!.data).toMatchObject({
      connection_id: connectionId,
      run_id: run!.id,
      status: "partial",
      added: (r as { diff: { added: number } }).diff.added,
      warning: run!.errorMessage,
      account_warnings: [{ account_id: ours!.id, provider_account_id: bad, code: "provider_unavailable", message: "The bank did not answer for this account." }],
    });
  });
});

describe("README", () => {
  it("shows exactly the verifier the tests use", async () => {
    const fs = await import("node:fs");
    const readme = fs.readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const code = fs.readFileSync(new URL("./verifier.ts", import.meta.url), "utf8").trim();
    expect(readme).toContain("```ts\n" + code + "\n```");
    expect(code.split("\n").length).toBeLessThanOrEqual(12);
  });
});


// ------------------------------------------------------------------ deliveries as jobs

async function until<T>(what: string, fn: () => Promise<T | false | null | undefined> | T | false | null | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A real worker (its own pg-boss instance on this database) whose `webhook.deliver` handler
 * waits for the test to hand it the (fake) time of the attempt: the jobs, their startAfter
 * and their singleton keys are pg-boss's own; only the clock is the test's.
 */
async function gatedWorker(opts: { timeoutMs?: number } = {}) {
  const queue = await createJobQueue(t, { url: t.url, supervise: false });
  const waiting: { jobId: string; deliveryId: string; go: (now: Date) => Promise<void>; skip: () => void }[] = [];
  await queue.work("webhook.deliver", { pollMs: 500 }, (data, job) => {
    const deliveryId = String(data.deliveryId);
    return new Promise((resolve, reject) =>
      waiting.push({
        jobId: job.id,
        deliveryId,
        go: (now) => runDeliveryJob(t.db, jobs, { deliveryId }, { now: () => now, policy: LOCAL, timeoutMs: opts.timeoutMs }).then(resolve, reject),
        skip: () => resolve({}),
      }),
    );
  });
  return {
    /** The next job the worker took for this delivery, with its startAfter. */
    async next(deliveryId: string) {
      const w = await until("a webhook.deliver job", () => {
        const i = waiting.findIndex((x) => x.deliveryId === deliveryId);
        return i >= 0 ? waiting.splice(i, 1)[0] : null;
      });
      const info = (await jobs.get("webhook.deliver", w.jobId))!;
      return { ...w, startAfter: info.startAfter };
    },
    waiting,
    stop: async () => {
      for (const w of waiting.splice(0)) w.skip();
      await queue.stop();
    },
  };
}

describe("deliveries are webhook.deliver jobs", () => {
  it("an event queues one job per delivery (singleton key = delivery id), and a worker delivers it once", async () => {
    const url = await receiver();
    const { userId } = await subscribed(url);
    const second = await createSubscription(t.db, { userId, url: url + "?second", events: ["sync.completed"] }, LOCAL);
    const { eventId, deliveries } = await emitEvent(t.db, { userId, type: "sync.completed", data: { n: 1 }, jobs });
    expect(deliveries).toBe(2);
    const rows = await t.db.select().from(webhookDeliveries);
    for (const d of rows) {
      const queued = await jobs.byKey("webhook.deliver", d.id);
      expect(queued.map((j) => [j.state, j.data])).toEqual([["created", { deliveryId: d.id }]]);
    }
    const worker = await createJobQueue(t, { url: t.url, supervise: false });
    try {
      await worker.work("webhook.deliver", { pollMs: 500, batchSize: 10 }, (data) => runDeliveryJob(t.db, worker, { deliveryId: String(data.deliveryId) }, { policy: LOCAL }));
      await until("two deliveries", async () => (await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.status, "delivered"))).length === 2);
    } finally {
      await worker.stop();
    }
    expect(received).toHaveLength(2);
    expect(received.map((r) => r.headers["ledgerlink-webhook-id"])).toEqual([eventId, eventId]);
    expect(new Set(received.map((r) => JSON.parse(r.body).id))).toEqual(new Set([eventId]));
    expect(second.id).toBeTruthy();
  });

  it("retries a 500 as new jobs whose startAfter follows 1 min, 5 min, 15 min, 1 h, 6 h (fake clock); nothing is sent early; then no more jobs", async () => {
    const url = await receiver(() => ({ status: 500, body: "boom" }));
    const { userId } = await subscribed(url);
    await emitEvent(t.db, { userId, type: "sync.completed", data: {}, now: T0, jobs });
    const [d] = await t.db.select().from(webhookDeliveries);
    const w = await gatedWorker();
    try {
      const starts: number[] = [];
      for (let i = 0; i < 6; i++) {
        const job = await w.next(d!.id);
        starts.push(job.startAfter.getTime());
        // A second early, the attempt is not due: nothing is sent.
        if (i > 0) expect(await deliverOne(t.db, d!.id, { now: new Date(job.startAfter.getTime() - 1000), policy: LOCAL })).toBeNull();
        expect(received).toHaveLength(i);
        await job.go(job.startAfter);
        expect(received).toHaveLength(i + 1);
      }
      expect(starts[0]).toBe(T0.getTime());
      expect(starts.slice(1).map((x, i) => x - starts[i]!)).toEqual(RETRY_DELAYS_MS);
      const [after] = await t.db.select().from(webhookDeliveries);
      expect(after).toMatchObject({ status: "failed", attempts: 6, nextAttemptAt: null, lastError: "HTTP 500" });
      await new Promise((r) => setTimeout(r, 1200));
      expect(w.waiting).toEqual([]);
      const all = await jobs.byKey("webhook.deliver", d!.id, 20);
      expect(all).toHaveLength(6);
      expect(all.filter((j) => j.state === "created")).toEqual([]);
      expect(new Set(received.map((r) => r.headers["ledgerlink-webhook-id"])).size).toBe(1);
    } finally {
      await w.stop();
    }
  });

  it("a receiver that answers too late twice and then 200, through jobs: exactly one success recorded, three attempts", async () => {
    const url = await receiver((n) => (n <= 2 ? { status: 200, delayMs: 800 } : { status: 200, body: "finally" }));
    const { userId } = await subscribed(url);
    await emitEvent(t.db, { userId, type: "sync.completed", data: {}, now: T0, jobs });
    const [d] = await t.db.select().from(webhookDeliveries);
    const w = await gatedWorker({ timeoutMs: 200 });
    try {
      for (let i = 0; i < 3; i++) {
        const job = await w.next(d!.id);
        await job.go(job.startAfter);
      }
      await new Promise((r) => setTimeout(r, 1200));
      expect(w.waiting).toEqual([]);
    } finally {
      await w.stop();
    }
    const attempts = await t.db.select().from(webhookAttempts).orderBy(webhookAttempts.attempt);
    expect(attempts.map((a) => [a.responseStatus, a.error?.includes("timed out") ?? false])).toEqual([
      [null, true],
      [null, true],
      [200, false],
    ]);
    const [after] = await t.db.select().from(webhookDeliveries);
    expect(after).toMatchObject({ status: "delivered", attempts: 3, responseExcerpt: "finally", nextAttemptAt: null });
    expect((await jobs.byKey("webhook.deliver", d!.id, 20)).filter((j) => j.state === "created")).toEqual([]);
  });

  it("two workers (two pg-boss instances) on one database: 30 events, each delivered exactly once", async () => {
    const url = await receiver();
    const { userId } = await subscribed(url);
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push((await emitEvent(t.db, { userId, type: "transactions.added", data: { i }, jobs })).eventId);
    const workers = [await createJobQueue(t, { url: t.url, supervise: false }), await createJobQueue(t, { url: t.url, supervise: false })];
    try {
      for (const q of workers) await q.work("webhook.deliver", { pollMs: 500, batchSize: 4 }, (data) => runDeliveryJob(t.db, q, { deliveryId: String(data.deliveryId) }, { policy: LOCAL }));
      await until("30 deliveries", async () => (await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.status, "delivered"))).length === 30, 60_000);
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      for (const q of workers) await q.stop();
    }
    expect(received.map((r) => r.headers["ledgerlink-webhook-id"]).sort()).toEqual([...ids].sort());
    expect(await t.db.select().from(webhookAttempts)).toHaveLength(30);
  });

  it("the app's worker (startWorker) runs webhook.deliver: an event is delivered without anyone calling deliver", async () => {
    const url = await receiver();
    const { userId } = await subscribed(url);
    const prev = process.env.LEDGERLINK_WEBHOOK_ALLOW_PRIVATE;
    process.env.LEDGERLINK_WEBHOOK_ALLOW_PRIVATE = "on";
    const queue = await createJobQueue(t, { url: t.url, supervise: false });
    try {
      await startWorker(t, queue, { pollMs: 500 });
      const { eventId } = await emitEvent(t.db, { userId, type: "sync.completed", data: {}, jobs: queue });
      await until("the delivery", () => received.length > 0);
      expect(received.map((r) => r.headers["ledgerlink-webhook-id"])).toEqual([eventId]);
      await until("the delivery row", async () => (await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.status, "delivered"))).length === 1);
    } finally {
      await queue.stop();
      if (prev === undefined) delete process.env.LEDGERLINK_WEBHOOK_ALLOW_PRIVATE;
      else process.env.LEDGERLINK_WEBHOOK_ALLOW_PRIVATE = prev;
    }
  });

  it("the sweep queues a job for a pending delivery whose job was lost, and leaves fresh ones alone", async () => {
    const url = await receiver();
    const { userId } = await subscribed(url);
    // No queue given and none in this process: the event is recorded, its job is not.
    await emitEvent(t.db, { userId, type: "sync.completed", data: {}, now: T0, jobs: null });
    const [d] = await t.db.select().from(webhookDeliveries);
    expect(await jobs.byKey("webhook.deliver", d!.id)).toEqual([]);
    expect(await runWebhookSweep(t.db, jobs, { now: new Date(T0.getTime() + SWEEP_GRACE_MS - 1000) })).toEqual({ requeued: 0 });
    expect(await runWebhookSweep(t.db, jobs, { now: new Date(T0.getTime() + SWEEP_GRACE_MS) })).toEqual({ requeued: 1 });
    // Twice: still one queued job (singleton key).
    await runWebhookSweep(t.db, jobs, { now: new Date(T0.getTime() + SWEEP_GRACE_MS) });
    expect((await jobs.byKey("webhook.deliver", d!.id)).map((j) => j.state)).toEqual(["created"]);
  });

  it("redeliver queues a job for the new delivery with the same event id", async () => {
    const url = await receiver();
    const { userId, sub } = await subscribed(url);
    await emitEvent(t.db, { userId, type: "sync.completed", data: {}, now: T0, jobs: null });
    await deliverDue(t.db, T0, { policy: LOCAL });
    const [old] = await listDeliveries(t.db, { userId, subscriptionId: sub.id });
    const other = await createSubscription(t.db, { userId, url, events: ["sync.completed"] }, LOCAL);
    await expect(redeliver(t.db, { userId, deliveryId: old!.id, subscriptionId: other.id, jobs })).rejects.toMatchObject({ code: "not_found" });
    const again = await redeliver(t.db, { userId, deliveryId: old!.id, subscriptionId: sub.id, jobs });
    expect((await jobs.byKey("webhook.deliver", again)).map((j) => j.state)).toEqual(["created"]);
    const [row] = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, again));
    expect(row!.eventId).toBe(old!.eventId);
  });
});

// ------------------------------------------------------------------ consent.expiring, import.completed

describe("consent.expiring and import.completed", () => {
  const DAY = 86_400_000;
  const payloads = async (type: string) =>
    (await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.event, type))).map((d) => (d.payload as { data: Record<string, unknown> }).data);

  it("consent.expiring: once per consent when it enters the last 7 days and once inside the last day; never twice; a renewed consent is warned again", async () => {
    const url = await receiver();
    const { userId } = await subscribed(url, ["consent.expiring"]);
    const other = await seedUser(t.db);
    const base = { connectorId: "finqware", credentials: "sealed" };
    const [soon, tomorrow] = await t.db
      .insert(connections)
      .values([
        { ...base, userId, displayName: "Soon", consentExpiresAt: new Date(T0.getTime() + 5 * DAY) },
        { ...base, userId, displayName: "Tomorrow", consentExpiresAt: new Date(T0.getTime() + 20 * 3600_000) },
        { ...base, userId, displayName: "Later", consentExpiresAt: new Date(T0.getTime() + 30 * DAY) },
        { ...base, userId, displayName: "Gone", status: "disconnected" as const, consentExpiresAt: new Date(T0.getTime() + 2 * DAY) },
        { ...base, userId, displayName: "Ended", consentExpiresAt: new Date(T0.getTime() - DAY) },
        { ...base, userId: other.userId, displayName: "Theirs", consentExpiresAt: new Date(T0.getTime() + 6 * DAY) },
      ])
      .returning({ id: connections.id });
    // Soon (7-day), Tomorrow (1-day) and the other user's (no subscription: no delivery).
    expect(await emitConsentExpiring(t.db, { now: T0, jobs: null })).toEqual({ emitted: 3 });
    const first = await payloads("consent.expiring");
    expect(first.map((d) => [d.connection_id, d.threshold_days, d.days_left]).sort()).toEqual(
      [
        [soon!.id, 7, 5],
        [tomorrow!.id, 1, 1],
      ].sort(),
    );
    expect(first.find((d) => d.connection_id === soon!.id)).toMatchObject({ connection_name: "Soon", consent_expires_at: new Date(T0.getTime() + 5 * DAY).toISOString() });
    // The daily job again, and two days later: nothing new.
    expect(await emitConsentExpiring(t.db, { now: T0, jobs: null })).toEqual({ emitted: 0 });
    expect(await emitConsentExpiring(t.db, { now: at(2 * DAY), jobs: null })).toEqual({ emitted: 0 });
    // Inside Soon's last day: its 1-day warning, once.
    expect(await emitConsentExpiring(t.db, { now: at(4.5 * DAY), jobs: null })).toEqual({ emitted: 1 });
    expect(await emitConsentExpiring(t.db, { now: at(4.6 * DAY), jobs: null })).toEqual({ emitted: 0 });
    expect((await payloads("consent.expiring")).filter((d) => d.connection_id === soon!.id).map((d) => d.threshold_days)).toEqual([7, 1]);
    // Renewed for 90 days: warned again 7 days before the new end.
    await t.db.update(connections).set({ consentExpiresAt: new Date(T0.getTime() + 95 * DAY) }).where(eq(connections.id, soon!.id));
    expect(await emitConsentExpiring(t.db, { now: at(10 * DAY), jobs: null })).toEqual({ emitted: 0 });
    expect(await emitConsentExpiring(t.db, { now: at(89 * DAY), jobs: null })).toEqual({ emitted: 1 });
    // The deliveries are real, signed and sent like any other.
    await deliverDue(t.db, at(89 * DAY), { policy: LOCAL });
    expect(received.map((r) => JSON.parse(r.body).type)).toEqual(["consent.expiring", "consent.expiring", "consent.expiring", "consent.expiring"]);
  });

  it("import.completed: a committed statement import tells subscribers its counts, import id and run id", async () => {
    const url = await receiver();
    const { userId } = await subscribed(url, ["import.completed"]);
    const bytes = fs.readFileSync(path.join(process.cwd(), "..", "shared", "fixtures", "external", "mt940", "phpmt940-kontist_sample"));
    const r = await commitImport(t.db, { userId, files: [{ name: "kontist.sta", bytes: new Uint8Array(bytes) }] });
    const outcome = r.imports[0]!;
    expect(outcome.added).toBe(6);
    const [d] = await payloads("import.completed");
    const [run] = await t.db.select().from(syncRuns).where(eq(syncRuns.userId, userId));
    expect(d).toEqual({
      import_id: outcome.importId,
      run_id: run!.id,
      connection_id: run!.connectionId,
      file_name: "kontist.sta",
      format: "mt940",
      added: 6,
      already_imported: 0,
      rejected: 0,
      accounts: 1,
      runs: `/api/v1/connections/${run!.connectionId}/runs`,
    });
    // The same file again is a no-op: nothing written, no event.
    await commitImport(t.db, { userId, files: [{ name: "kontist.sta", bytes: new Uint8Array(bytes) }] });
    expect(await payloads("import.completed")).toHaveLength(1);
  });
});
