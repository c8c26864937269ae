import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connections, syncRuns, webhookDeliveries, webhookSubscriptions } from "@/db/schema";
import { ConnectorError } from "@/lib/connectors/errors";
import { syncConnection } from "@/lib/sync/engine";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { demoHarness, type DemoHarness } from "@/test/sync-harness";
import { reconnectAndSync, runDueNow, startWorker, waitForSync } from "./index";
import { createJobQueue, type JobQueue } from "./queue";
import { claimDueConnections, enqueueSync, reapDeadRuns, runSyncJob, syncIntervalFor, INTERRUPTED_MESSAGE } from "./sync-jobs";

let t: TestDatabase;
let jobs: JobQueue;
beforeAll(async () => {
  t = await createTestDatabase();
  jobs = await createJobQueue(t, { url: t.url, supervise: false });
});
afterAll(async () => {
  await jobs.stop();
  await t.close();
});
beforeEach(() => truncateAll(t));

const runsOf = (connectionId: string) => t.db.select().from(syncRuns).where(eq(syncRuns.connectionId, connectionId));
const nowOf = (h: DemoHarness) => () => new Date(h.clock.now());

describe("pg-boss on this database", () => {
  it("stores and runs a sync.connection job through the queue: one run, ledger equals the bank", async () => {
    const h = await demoHarness(t.db, { pageSize: 100 });
    const id = await h.link();
    const jobId = await enqueueSync(jobs, { userId: h.userId, connectionId: id, trigger: "initial" });
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    // A second request while the first still waits is that same job, not another.
    expect(await enqueueSync(jobs, { userId: h.userId, connectionId: id, trigger: "manual" })).toBe(jobId);

    const queue = await createJobQueue(t, { url: t.url, supervise: false });
    try {
      await queue.work("sync.connection", { pollMs: 500 }, async (data) => runSyncJob(t.db, queue, data as never, { ...h.deps, now: nowOf(h) }));
      const done = await waitForSync(jobs, jobId!, { timeoutMs: 30_000 });
      expect(done.done).toBe(true);
      if (!done.done) throw new Error();
      expect(done.job.state).toBe("completed");
      expect(done.output).toMatchObject({ outcome: "success" });
    } finally {
      await queue.stop();
    }
    const runs = await runsOf(id);
    expect(runs.map((r) => [r.trigger, r.status])).toEqual([["initial", "success"]]);
    const cmp = await h.compare(id);
    expect(cmp).toEqual({ missing: [], unexpected: [], different: [], count: cmp.count });
  });

  it("a request during a running sync stores exactly one follow-up, which runs after it and picks up new data", async () => {
    const h = await demoHarness(t.db, { pageSize: 50 });
    const id = await h.link();
    let followUps: (string | null)[] = [];
    let fetches = 0;
    // The first run: while it is between pages (lease held), three requests arrive. (Not
    // inside a page's transaction: on PGlite that would wait for the transaction's lock.)
    const connector = {
      ...h.connector,
      fetchTransactions: async (c: unknown, o: Parameters<typeof h.connector.fetchTransactions>[1]) => {
        if (++fetches === 2) {
          followUps = [
            await enqueueSync(jobs, { userId: h.userId, connectionId: id, trigger: "webhook" }),
            await enqueueSync(jobs, { userId: h.userId, connectionId: id, trigger: "webhook" }),
            await enqueueSync(jobs, { userId: h.userId, connectionId: id, trigger: "manual" }),
          ];
        }
        return h.connector.fetchTransactions(c, o);
      },
    };
    const first = await runSyncJob(t.db, jobs, { userId: h.userId, connectionId: id, trigger: "initial" }, { ...h.deps, connector, now: nowOf(h) });
    expect(first).toMatchObject({ outcome: "success" });
    expect(followUps[0]).toBeTruthy();
    expect(new Set(followUps)).toEqual(new Set([followUps[0]]));
    const queued = (await jobs.byKey("sync.connection", id)).filter((j) => j.state === "created");
    expect(queued.map((j) => j.id)).toEqual([followUps[0]]);

    // New data at the bank, then the follow-up runs (a later hour on the bank's clock).
    h.clock.advance(3 * 3600_000);
    const follow = await runSyncJob(t.db, jobs, queued[0]!.data as never, { ...h.deps, now: nowOf(h) });
    expect(follow).toMatchObject({ outcome: "success" });
    const runs = await runsOf(id);
    expect(runs.map((r) => r.trigger).sort()).toEqual(["initial", "webhook"]);
    const cmp = await h.compare(id);
    expect(cmp).toEqual({ missing: [], unexpected: [], different: [], count: cmp.count });
  });

  it("a job that finds the connection still syncing re-queues itself instead of being dropped", async () => {
    const h = await demoHarness(t.db);
    const id = await h.link();
    const now = new Date(h.clock.now());
    await t.db.update(connections).set({ lockedUntil: new Date(now.getTime() + 60_000), lockOwner: "someone" }).where(eq(connections.id, id));
    const out = await runSyncJob(t.db, jobs, { userId: h.userId, connectionId: id, trigger: "webhook" }, { ...h.deps, now: nowOf(h), busyRetryMs: 2000 });
    expect(out).toMatchObject({ outcome: "deferred", reason: "running" });
    const [next] = (await jobs.byKey("sync.connection", id)).filter((j) => j.state === "created");
    expect(next!.data).toMatchObject({ trigger: "webhook", hops: 1 });
    expect(await runsOf(id)).toEqual([]); // no provider call, no run
  });

  it("Retry-After: the job is re-queued for that time, with no provider call before it", async () => {
    const h = await demoHarness(t.db);
    const id = await h.link();
    let calls = 0;
    const limited = {
      ...h.connector,
      listAccounts: async () => {
        calls++;
        throw new ConnectorError("rate_limited", "Slow down.", { retryAfterMs: 120_000 });
      },
    };
    const realNow = () => new Date();
    const out = await runSyncJob(t.db, jobs, { userId: h.userId, connectionId: id, trigger: "manual" }, { connector: limited, now: realNow, retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    expect(out).toMatchObject({ outcome: "error", code: "rate_limited" });
    const callsAfterFirst = calls;
    const [c] = await t.db.select().from(connections).where(eq(connections.id, id));
    expect(c!.retryAt!.getTime() - Date.now()).toBeGreaterThan(100_000);
    const queued = (await jobs.byKey("sync.connection", id)).filter((j) => j.state === "created");
    expect(queued).toHaveLength(1);
    expect(Math.abs(queued[0]!.startAfter.getTime() - c!.retryAt!.getTime())).toBeLessThan(1000);

    // A webhook before that time: deferred to retry_at, the provider is not called.
    const early = await runSyncJob(t.db, jobs, { userId: h.userId, connectionId: id, trigger: "webhook" }, { connector: limited, now: realNow });
    expect(early).toMatchObject({ outcome: "deferred", reason: "retry_at", until: c!.retryAt!.toISOString() });
    expect(calls).toBe(callsAfterFirst);
  });

  it("PSD2-style daily budget: the next run is scheduled when the budget allows, with no provider call before", async () => {
    const h = await demoHarness(t.db);
    const id = await h.link();
    const budgeted = { ...h.connector, capabilities: { ...h.connector.capabilities, rateBudget: { syncsPerDay: 2 } } };
    expect(syncIntervalFor(budgeted, 3600_000)).toBe(12 * 3600_000);
    const deps = { ...h.deps, connector: budgeted, now: nowOf(h) };
    expect(await runSyncJob(t.db, jobs, { userId: h.userId, connectionId: id, trigger: "manual" }, deps)).toMatchObject({ outcome: "success" });
    expect(await runSyncJob(t.db, jobs, { userId: h.userId, connectionId: id, trigger: "manual" }, deps)).toMatchObject({ outcome: "success" });
    const [after2] = await t.db.select().from(connections).where(eq(connections.id, id));
    // The schedule respects the budget: the next scheduled run is 12 h later, not the 1 h default.
    expect(after2!.nextSyncAt!.getTime() - h.clock.now()).toBe(12 * 3600_000);
    let calls = 0;
    const counting = { ...budgeted, listAccounts: async (c: unknown) => (calls++, budgeted.listAccounts(c)) };
    const third = await runSyncJob(t.db, jobs, { userId: h.userId, connectionId: id, trigger: "manual" }, { ...deps, connector: counting });
    expect(third).toMatchObject({ outcome: "error", code: "rate_limited" });
    expect(calls).toBe(0);
    const nextDay = new Date(Math.floor(h.clock.now() / 86_400_000) * 86_400_000 + 86_400_000);
    const queued = (await jobs.byKey("sync.connection", id)).filter((j) => j.state === "created");
    expect(queued.map((j) => j.startAfter.toISOString())).toEqual([nextDay.toISOString()]);
  });

  it("claims due connections with SKIP LOCKED: concurrent claimers split them, none twice", async () => {
    const h = await demoHarness(t.db);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await h.link({ seed: 100 + i }));
    const now = new Date();
    await t.db.update(connections).set({ nextSyncAt: new Date(now.getTime() - 1000) }).where(eq(connections.userId, h.userId));
    const [a, b, c] = await Promise.all([claimDueConnections(t.db, { now, limit: 8 }), claimDueConnections(t.db, { now, limit: 8 }), claimDueConnections(t.db, { now, limit: 8 })]);
    const all = [...a, ...b, ...c].map((x) => x.id);
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(20);
    expect(await claimDueConnections(t.db, { now })).toEqual([]);
  });

  it("reaps a run whose process died: failed with a reason, connection re-enqueued, no longer 'syncing'", async () => {
    const h = await demoHarness(t.db);
    const id = await h.link();
    const now = new Date();
    await t.db.update(connections).set({ status: "syncing", lockedUntil: new Date(now.getTime() - 5000), lockOwner: "dead" }).where(eq(connections.id, id));
    const [run] = await t.db.insert(syncRuns).values({ userId: h.userId, connectionId: id, trigger: "initial", startedAt: new Date(now.getTime() - 60_000) }).returning();
    // A live run (lease not expired) on another connection is left alone.
    const other = await h.link({ seed: 7 });
    await t.db.update(connections).set({ status: "syncing", lockedUntil: new Date(now.getTime() + 60_000), lockOwner: "alive" }).where(eq(connections.id, other));
    await t.db.insert(syncRuns).values({ userId: h.userId, connectionId: other, trigger: "manual" });

    const reaped = await reapDeadRuns(t.db, jobs, { now });
    expect(reaped).toEqual([{ runId: run!.id, connectionId: id, requeued: true }]);
    const [r] = await t.db.select().from(syncRuns).where(eq(syncRuns.id, run!.id));
    expect(r).toMatchObject({ status: "error", errorCode: "interrupted", errorMessage: INTERRUPTED_MESSAGE });
    const [c] = await t.db.select().from(connections).where(eq(connections.id, id));
    expect(c!.status).toBe("error");
    const queued = (await jobs.byKey("sync.connection", id)).filter((j) => j.state === "created");
    expect(queued.map((j) => j.data.trigger)).toEqual(["initial"]);
    expect(await reapDeadRuns(t.db, jobs, { now })).toEqual([]);
  });

  describe("a slow (not dead) process whose run the reaper ended", () => {
    /** A sync that pauses at `where` until released, reaped meanwhile by the real reaper. */
    async function reapWhilePaused(where: "mid_page" | "before_finish") {
      const h = await demoHarness(t.db, { pageSize: 40 });
      const id = await h.link();
      await t.db.insert(webhookSubscriptions).values({ userId: h.userId, url: "https://hooks.example.com/x", secret: "sealed", events: ["sync.completed", "sync.failed"] });
      let pausedResolve!: () => void;
      const paused = new Promise<void>((r) => (pausedResolve = r));
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      let fetches = 0;
      const connector = {
        ...h.connector,
        fetchTransactions: async (c: unknown, o: Parameters<typeof h.connector.fetchTransactions>[1]) => {
          if (where === "mid_page" && ++fetches === 2) {
            pausedResolve();
            await released;
          }
          return h.connector.fetchTransactions(c, o);
        },
      };
      const pause = async () => {
        pausedResolve();
        await released;
      };
      const running = syncConnection(t.db, { userId: h.userId, connectionId: id, trigger: "initial" }, { ...h.deps, connector, leaseMs: 60_000, beforeFinish: where === "before_finish" ? pause : undefined });
      await paused;
      // The lease (60 s on the bank's clock) has run out by the reaper's clock: it ends the run.
      const reaped = await reapDeadRuns(t.db, jobs, { now: new Date(h.clock.now() + 5 * 60_000) });
      const [run] = await runsOf(id);
      expect(reaped).toEqual([{ runId: run!.id, connectionId: id, requeued: true }]);
      const [connAfterReap] = await t.db.select().from(connections).where(eq(connections.id, id));
      release();
      const late = await running;
      return { h, id, runId: run!.id, late, connAfterReap: connAfterReap! };
    }

    for (const where of ["before_finish", "mid_page"] as const) {
      it(`its late result (${where === "before_finish" ? "success after the last page" : "lease lost mid-import"}) overwrites nothing and emits nothing`, async () => {
        const { id, runId, late, connAfterReap } = await reapWhilePaused(where);
        expect(late).toMatchObject({ status: "error", runId, code: "interrupted" });
        const runs = await runsOf(id);
        expect(runs.map((r) => [r.id, r.status, r.errorCode, r.errorMessage])).toEqual([[runId, "error", "interrupted", INTERRUPTED_MESSAGE]]);
        // The connection stays as the reaper left it (queued again, not "active" with a new schedule).
        const [c] = await t.db.select().from(connections).where(eq(connections.id, id));
        expect(connAfterReap.status).toBe("error");
        expect({ status: c!.status, nextSyncAt: c!.nextSyncAt, lastSyncedAt: c!.lastSyncedAt, lockOwner: c!.lockOwner }).toEqual({
          status: connAfterReap.status,
          nextSyncAt: connAfterReap.nextSyncAt,
          lastSyncedAt: connAfterReap.lastSyncedAt,
          lockOwner: null,
        });
        // No sync.completed / sync.failed for the reaped run (the re-queued run reports).
        expect(await t.db.select().from(webhookDeliveries)).toEqual([]);
        expect((await jobs.byKey("sync.connection", id)).filter((j) => j.state === "created")).toHaveLength(1);
      });
    }

    it("the re-queued run then completes the import with no duplicate", async () => {
      const { h, id } = await reapWhilePaused("before_finish");
      const [next] = (await jobs.byKey("sync.connection", id)).filter((j) => j.state === "created");
      expect(await runSyncJob(t.db, jobs, next!.data as never, { ...h.deps, now: nowOf(h) })).toMatchObject({ outcome: "success" });
      const cmp = await h.compare(id);
      expect(cmp).toEqual({ missing: [], unexpected: [], different: [], count: cmp.count });
      expect((await runsOf(id)).map((r) => r.status).sort()).toEqual(["error", "success"]);
    });
  });

  it("reconnect with no browser follow-up: the queue syncs the connection and it keeps its schedule", async () => {
    const h = await demoHarness(t.db);
    const id = await h.link();
    // The bank asks the user to log in again: the engine stops scheduling it (it waits for the user).
    const locked = { ...h.connector, listAccounts: async () => Promise.reject(new ConnectorError("reauth_required", "Log in again.")) };
    expect(await runSyncJob(t.db, jobs, { userId: h.userId, connectionId: id, trigger: "scheduled" }, { ...h.deps, connector: locked, now: nowOf(h) })).toMatchObject({ outcome: "error", code: "reauth_required" });
    const [before] = await t.db.select().from(connections).where(eq(connections.id, id));
    expect(before).toMatchObject({ status: "reauth_required", nextSyncAt: null });

    // Reconnect (what the action does) — and nothing else from the browser.
    const jobId = await reconnectAndSync(t.db, jobs, { userId: h.userId, connectionId: id }, { connector: h.connector });
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    const queue = await createJobQueue(t, { url: t.url, supervise: false });
    try {
      await startWorker(t, queue, { pollMs: 500, deps: { connector: h.connector, clock: h.clock } });
      const done = await waitForSync(jobs, jobId!, { timeoutMs: 60_000 });
      expect(done).toMatchObject({ done: true, output: { outcome: "success" } });
    } finally {
      await queue.stop();
    }
    const runs = await runsOf(id);
    expect(runs.filter((r) => r.status === "success").map((r) => r.trigger)).toEqual(["manual"]);
    const [c] = await t.db.select().from(connections).where(eq(connections.id, id));
    expect(c!.status).toBe("active");
    // Its schedule is back: next due one interval after this sync, and sync.due claims it then.
    expect(c!.nextSyncAt!.getTime() - c!.lastSyncedAt!.getTime()).toBe(syncIntervalFor(h.connector));
    expect(await claimDueConnections(t.db, { now: new Date(c!.nextSyncAt!.getTime() - 1000) })).toEqual([]);
    expect((await claimDueConnections(t.db, { now: new Date(c!.nextSyncAt!.getTime() + 1000) })).map((x) => x.id)).toEqual([id]);
  });

  it("the cron tick with no worker anywhere: claims due connections and runs their syncs within its budget", async () => {
    const h = await demoHarness(t.db);
    const a = await h.link({ seed: 21 });
    const b = await h.link({ seed: 22 });
    await t.db.update(connections).set({ nextSyncAt: new Date(Date.now() - 1000) }).where(eq(connections.userId, h.userId));
    const only = await runDueNow(t.db, jobs, { budgetMs: 0 });
    expect(only).toMatchObject({ enqueued: 2, ran: 0 }); // budget 0: enqueue only
    const r = await runDueNow(t.db, jobs, { budgetMs: 60_000, deps: { connector: h.connector } });
    expect(r.ran).toBe(2);
    const runs = await t.db.select().from(syncRuns);
    expect(runs.map((x) => [x.connectionId, x.trigger, x.status]).sort()).toEqual([[a, "scheduled", "success"], [b, "scheduled", "success"]].sort());
    for (const id of [a, b]) expect((await jobs.byKey("sync.connection", id)).map((j) => j.state)).toEqual(["completed"]);
  });

  it("the worker runs due connections from the sync.due job", async () => {
    const h = await demoHarness(t.db);
    const a = await h.link({ seed: 11 });
    const b = await h.link({ seed: 12 });
    await t.db.update(connections).set({ nextSyncAt: new Date(Date.now() - 1000) }).where(eq(connections.userId, h.userId));
    const queue = await createJobQueue(t, { url: t.url, supervise: false });
    try {
      await startWorker(t, queue, { pollMs: 500, deps: { connector: h.connector } });
      const deadline = Date.now() + 40_000;
      while (Date.now() < deadline) {
        const runs = await t.db.select().from(syncRuns);
        if (runs.filter((r) => r.status === "success").length >= 2) break;
        await new Promise((r) => setTimeout(r, 300));
      }
    } finally {
      await queue.stop();
    }
    const runs = await t.db.select().from(syncRuns);
    expect(runs.map((r) => [r.connectionId, r.trigger, r.status]).sort()).toEqual([[a, "scheduled", "success"], [b, "scheduled", "success"]].sort());
  });
});
