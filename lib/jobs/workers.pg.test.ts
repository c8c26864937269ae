import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq, isNull, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connections, financialAccounts, syncRuns, transactions, users, webhookAttempts, webhookDeliveries } from "@/db/schema";
import { emitEvent } from "@/lib/webhooks/events";
import { createSubscription } from "@/lib/webhooks/subscriptions";
import { linkConnection } from "@/lib/connections/service";
import type { DemoCredentials } from "@/lib/connectors/demo/connector";
import { openSecret } from "@/lib/crypto";
import { fromUnits, toUnits } from "@/lib/money/decimal";
import { centsToDecimal } from "@/emulators/demo/ledger";
import { decodeToken, DemoEmulator } from "@/emulators/demo/server";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { createJobQueue } from "./queue";
import { enqueueSync } from "./sync-jobs";

/**
 * Real worker processes (`scripts/worker.ts`) on one PostgreSQL database: several at once,
 * and one killed with SIGKILL in the middle of a first import. (PostgreSQL only: embedded
 * PGlite allows a single process, which jobs.int.test.ts covers.)
 */

let t: TestDatabase;
const children: ChildProcess[] = [];
const FROZEN = { tickSeconds: 86400 }; // the longest tick the demo bank allows: its ledger does not move during the test

beforeAll(async () => {
  t = await createTestDatabase();
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
});
afterAll(() => t.close());

function startWorker(extraEnv: Record<string, string> = {}): ChildProcess & { output: () => string } {
  let out = "";
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      DATABASE_URL: t.url!,
      LEDGERLINK_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "ll-worker-")),
      LEDGERLINK_WORKER_POLL_MS: "500",
      LEDGERLINK_DUE_EVERY_MS: "700",
      ...extraEnv,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  children.push(child);
  return Object.assign(child, { output: () => out });
}

async function until<T>(what: string, fn: () => Promise<T | false | undefined | null>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function newUser() {
  const [u] = await t.db.insert(users).values({ email: `w${Math.random().toString(36).slice(2)}@example.com`, passwordHash: "x" }).returning({ id: users.id });
  return u!.id;
}

/** What the demo bank holds for this connection (its ledger is a pure function of the token). */
async function compareWithBank(connectionId: string) {
  const [c] = await t.db.select().from(connections).where(eq(connections.id, connectionId));
  const item = decodeToken(openSecret<DemoCredentials>(c!.credentials, c!.id).accessToken)!;
  const truth = new Map([...new DemoEmulator().ledger(item).live.values()].map((x) => [x.transaction_id, `${centsToDecimal(x.amount_cents)}|${x.pending}|${x.date}`]));
  const rows = await t.db
    .select({ id: transactions.providerTransactionId, amount: transactions.amount, pending: transactions.pending, date: transactions.date })
    .from(transactions)
    .innerJoin(financialAccounts, eq(financialAccounts.id, transactions.accountId))
    .where(and(eq(financialAccounts.connectionId, connectionId), isNull(transactions.deletedAt)));
  const got = new Map(rows.map((r) => [r.id, `${fromUnits(toUnits(r.amount, 2), 2)}|${r.pending}|${r.date}`]));
  const missing = [...truth.keys()].filter((k) => !got.has(k)).length;
  const unexpected = [...got.keys()].filter((k) => !truth.has(k)).length;
  const different = [...truth.keys()].filter((k) => got.has(k) && got.get(k) !== truth.get(k)).length;
  return { missing, unexpected, different, truth: truth.size, rows: rows.length };
}

describe("worker processes on one PostgreSQL", () => {
  it("two workers and 20 due connections: each connection is synced exactly once", async () => {
    const userId = await newUser();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const { connectionId } = await linkConnection(t.db, { userId, connectorId: "demo", payload: { institutionId: "demo_platypus", historyDays: 20, seed: 500 + i, ...FROZEN } });
      ids.push(connectionId);
    }
    await t.db.update(connections).set({ nextSyncAt: new Date(Date.now() - 1000) }).where(eq(connections.userId, userId));
    startWorker();
    startWorker();
    const ok = () => t.db.select().from(syncRuns).where(and(eq(syncRuns.userId, userId), eq(syncRuns.status, "success")));
    await until("20 successful runs", async () => (await ok()).length >= 20);
    // Several more due ticks from both workers: nothing runs twice.
    await new Promise((r) => setTimeout(r, 4000));
    const runs = await t.db.select().from(syncRuns).where(eq(syncRuns.userId, userId));
    expect(runs.filter((r) => r.status !== "success")).toEqual([]);
    expect(runs.map((r) => r.connectionId).sort()).toEqual([...ids].sort());
    expect(new Set(runs.map((r) => r.trigger))).toEqual(new Set(["scheduled"]));
    const conns = await t.db.select().from(connections).where(eq(connections.userId, userId));
    for (const c of conns) expect(c.nextSyncAt!.getTime()).toBeGreaterThan(Date.now() + 3600_000);
  }, 180_000);

  it("kill -9 of a worker in the middle of a 10-year first import: another worker finishes it, the ledger equals the bank", async () => {
    const userId = await newUser();
    const { connectionId } = await linkConnection(t.db, { userId, connectorId: "demo", payload: { institutionId: "demo_platypus", historyDays: 3650, seed: 4242, ...FROZEN } });
    // A short lease (renewed every page) so the dead run is noticed within seconds, yet long
    // enough for a live run's slowest step (building 10 years at the bank) on a busy machine.
    const lease = { LEDGERLINK_SYNC_LEASE_MS: "15000" };
    const a = startWorker(lease);
    const jobs = await createJobQueue(t, { url: t.url, supervise: false });
    try {
      await enqueueSync(jobs, { userId, connectionId, trigger: "initial" });
    } finally {
      await jobs.stop();
    }
    const running = await until("the import to be under way", async () => {
      const [r] = await t.db.select().from(syncRuns).where(and(eq(syncRuns.connectionId, connectionId), eq(syncRuns.status, "running")));
      return r && r.pages >= 2 ? r : null;
    });
    a.kill("SIGKILL");
    await until("worker A to die", async () => a.exitCode !== null || a.signalCode !== null);
    const [mid] = await t.db.select({ n: sql<number>`count(*)::int` }).from(transactions).where(eq(transactions.userId, userId));
    startWorker(lease);
    const done = await until("the recovered import to finish", async () => {
      const [r] = await t.db.select().from(syncRuns).where(and(eq(syncRuns.connectionId, connectionId), eq(syncRuns.status, "success")));
      return r;
    });
    const runs = await t.db.select().from(syncRuns).where(eq(syncRuns.connectionId, connectionId));
    const dead = runs.find((r) => r.id === running.id)!;
    expect(dead).toMatchObject({ status: "error", errorCode: "interrupted" });
    expect(dead.errorMessage).toMatch(/stopped before it finished/);
    expect(runs.filter((r) => r.status === "running")).toEqual([]);
    expect(runs.filter((r) => r.status === "success")).toHaveLength(1);
    expect(runs).toHaveLength(2);
    expect(done.trigger).toBe("initial");
    expect(mid!.n).toBeGreaterThan(0);
    const cmp = await compareWithBank(connectionId);
    expect(cmp).toEqual({ missing: 0, unexpected: 0, different: 0, truth: cmp.truth, rows: cmp.truth });
    expect(cmp.truth).toBeGreaterThan(mid!.n);
    const [c] = await t.db.select().from(connections).where(eq(connections.id, connectionId));
    expect(c!.status).toBe("active");
  }, 240_000);

  it("two worker processes and 60 webhook events: each delivery reaches the receiver exactly once", async () => {
    const userId = await newUser();
    const hits: string[] = [];
    const server = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        hits.push(String(req.headers["ledgerlink-webhook-id"]));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      await createSubscription(t.db, { userId, url, events: ["transactions.added"] }, { allowPrivate: true });
      const env = { LEDGERLINK_WEBHOOK_ALLOW_PRIVATE: "on", LEDGERLINK_WEBHOOK_BATCH: "5" };
      startWorker(env);
      startWorker(env);
      const jobs = await createJobQueue(t, { url: t.url, supervise: false });
      const ids: string[] = [];
      try {
        for (let i = 0; i < 60; i++) ids.push((await emitEvent(t.db, { userId, type: "transactions.added", data: { i }, jobs })).eventId);
      } finally {
        await jobs.stop();
      }
      await until("60 deliveries", async () => {
        const [r] = await t.db.select({ n: sql<number>`count(*)::int` }).from(webhookDeliveries).where(eq(webhookDeliveries.status, "delivered"));
        return r!.n >= 60;
      });
      await new Promise((r) => setTimeout(r, 3000));
      expect([...hits].sort()).toEqual([...ids].sort());
      const [attempts] = await t.db.select({ n: sql<number>`count(*)::int` }).from(webhookAttempts);
      expect(attempts!.n).toBe(60);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  }, 180_000);
});
