import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connections, syncRuns, users } from "@/db/schema";
import { linkConnection } from "@/lib/connections/service";
import { openSecret } from "@/lib/crypto";
import { createJobQueue, type JobQueue } from "@/lib/jobs/queue";
import { waitForSync } from "@/lib/jobs";
import { runDueJob, runSyncJob } from "@/lib/jobs/sync-jobs";
import { manualRefreshBlock } from "@/lib/sync/budget";
import { syncConnection } from "@/lib/sync/engine";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { simplefinHarness } from "@/test/simplefin-harness";
import { demoHarness } from "@/test/sync-harness";
import { SimplefinEmulator } from "@/emulators/simplefin/server";
import { stored } from "../conformance";
import type { Connector } from "../contract";
import type { SimplefinCredentials } from "./connector";
import { dbStore, tokenKey, utcDay } from "./state";

/**
 * SimpleFIN's 24 requests a day, planned before anything is sent: runs that do not fit
 * are not started, a long backfill continues across days, the schedule spreads the
 * budget and keeps a reserve for "Refresh now" (through the real job queue).
 */

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

async function setup(opts: Parameters<typeof simplefinHarness>[1] = {}) {
  const h = simplefinHarness(async () => t.db, opts);
  const sfNow = () => h.clock.now();
  const [u] = await t.db.insert(users).values({ email: `sf${Math.random().toString(36).slice(2)}@example.com`, passwordHash: "x" }).returning({ id: users.id });
  const userId = u!.id;
  const connector = h.connector as Connector<unknown>;
  const { connectionId: id } = await linkConnection(t.db, { userId, connectorId: "simplefin", payload: { setupToken: h.emulator.issueSetupToken() } }, { connector });
  const [c] = await t.db.select().from(connections).where(eq(connections.id, id));
  const access = openSecret<SimplefinCredentials>(c!.credentials, c!.id).accessUrl;
  const user = SimplefinEmulator.userOf(access);
  const sync = (trigger: "manual" | "initial" | "scheduled" = "manual", syncIntervalMs?: number) => syncConnection(t.db, { userId, connectionId: id, trigger }, { connector, clock: h.clock, syncIntervalMs });
  /** Spend requests of today's budget the way another refresh would (the DB reservation). */
  const spend = async (n: number) => {
    const store = dbStore(async () => t.db);
    for (let i = 0; i < n; i++) expect(await store.reserve(tokenKey(access), h.clock.now(), 24)).toBe(true);
  };
  const usedToday = () => dbStore(async () => t.db).used(tokenKey(access), sfNow());
  const sentToday = () => h.emulator.requestsOn(user, utcDay(h.clock.now()));
  const conn = async () => (await t.db.select().from(connections).where(eq(connections.id, id)))[0]!;
  const truth = () => new Map(h.emulator.liveTransactions(user).map((x) => [x.id, { amount: x.amount, pending: x.pending, date: x.date }]));
  return { h, userId, id, connector, access, user, sync, spend, sentToday, usedToday, conn, truth };
}

describe("SimpleFIN budget: a run that does not fit is not started", () => {
  it("an incremental refresh needing more requests than remain records a skipped run, says when, and calls the bridge 0 times", async () => {
    const s = await setup();
    expect((await s.sync("initial")).status).toBe("success");
    // 100 days later (a new UTC day: 2027-03-01): the refresh must re-read the gap → 1 + 2 windows.
    s.h.emulator.advance(s.user, 20);
    s.h.clock.advance(100 * 86_400_000);
    expect(utcDay(s.h.clock.now())).toBe("2027-03-01");
    await s.spend(22);
    const plan = await s.connector.planRequests!({ accessUrl: s.access }, { cursor: (await s.conn()).syncCursor });
    expect(plan).toMatchObject({ perDay: 24, used: 22, required: 3, reserve: 2 });
    const before = s.h.requestsSent();
    const r = await s.sync("manual");
    expect(r).toMatchObject({ status: "error", code: "rate_limited" });
    const message = "SimpleFIN Bridge allows 24 requests a day; this refresh needs 3 and 2 remain today. The refresh was not started; next possible at 00:00 (UTC 2027-03-02).";
    expect(r.status === "error" && r.message).toBe(message);
    expect(s.h.requestsSent()).toBe(before);
    const runs = await t.db.select().from(syncRuns).where(eq(syncRuns.connectionId, s.id));
    const skipped = runs.filter((x) => x.status === "skipped");
    expect(skipped.map((x) => [x.errorCode, x.errorMessage])).toEqual([["rate_limited", message]]);
    expect((await s.conn()).retryAt?.toISOString()).toBe("2027-03-02T00:00:00.000Z");
    // The card and the action see the same block (and only for the owner).
    expect(await manualRefreshBlock(t.db, { userId: s.userId, connectionId: s.id, now: new Date(s.h.clock.now()) }, () => s.connector)).toEqual({ message, nextAt: new Date("2027-03-02T00:00:00Z") });
    const [other] = await t.db.insert(users).values({ email: "other@example.com", passwordHash: "x" }).returning({ id: users.id });
    expect(await manualRefreshBlock(t.db, { userId: other!.id, connectionId: s.id, now: new Date(s.h.clock.now()) }, () => s.connector)).toBeNull();

    // With exactly 3 left it runs, spends exactly 3, and stores the bridge's ledger.
    s.h.clock.set(Date.UTC(2027, 2, 2, 8));
    await s.spend(21);
    await t.db.update(connections).set({ retryAt: null }).where(eq(connections.id, s.id));
    expect(await manualRefreshBlock(t.db, { userId: s.userId, connectionId: s.id, now: new Date(s.h.clock.now()) }, () => s.connector)).toBeNull();
    expect((await s.sync("manual")).status).toBe("success");
    expect(s.sentToday()).toBe(3);
    expect(await stored(t.db, s.id)).toEqual(s.truth());
  });

  it("a scheduled run leaves the manual reserve: with only the reserve left it is refused; the manual refresh may use it", async () => {
    const s = await setup();
    expect((await s.sync("initial")).status).toBe("success");
    await s.spend(22 - s.sentToday());
    const before = s.h.requestsSent();
    const r = await s.sync("scheduled");
    expect(r.status === "error" && r.message).toBe(
      "SimpleFIN Bridge allows 24 requests a day; 2 remain today and 2 are kept for a manual refresh. The refresh was not started; next possible at 00:00 (UTC 2026-11-22).",
    );
    expect(s.h.requestsSent()).toBe(before);
    await t.db.update(connections).set({ retryAt: null }).where(eq(connections.id, s.id));
    expect((await s.sync("manual")).status).toBe("success");
    expect((await s.sync("manual")).status).toBe("success");
    expect(await s.usedToday()).toBe(24);
    const sent = s.h.requestsSent();
    expect((await s.sync("manual")).status).toBe("error");
    expect(s.h.requestsSent()).toBe(sent); // the 25th is never sent
    expect(await s.usedToday()).toBe(24);
  });
});

describe("SimpleFIN budget: a backfill longer than a day's budget", () => {
  it("commits what fits (never touching the reserve), then continues on the next days until the full ledger is stored", async () => {
    // 2,400 days of history: 27 windows of 90 days before the recent 30 days, plus the empty one that ends the walk.
    const s = await setup({ historyDays: 2400 });
    const r1 = await s.sync("initial");
    expect(r1.status).toBe("success");
    expect(s.sentToday()).toBe(22); // 1 recent window + 21 older windows; 2 kept for "Refresh now"
    const c1 = await s.conn();
    // The walk is still under way (the shared window adapter's cursor: one lane for all accounts).
    expect(JSON.parse(c1.syncCursor!)).toMatchObject({ run: null, accounts: { "*": { done: false } } });
    // The schedule waits for the refill: 00:00 UTC the next day.
    expect(c1.nextSyncAt?.toISOString()).toBe("2026-11-22T00:00:00.000Z");
    const partial = await stored(t.db, s.id);
    const truth = s.truth();
    expect(partial.size).toBeGreaterThan(0);
    expect(partial.size).toBeLessThan(truth.size);
    // Everything stored so far is exact (the newest 21 windows, each committed as its own page).
    expect([...partial].filter(([k, v]) => JSON.stringify(truth.get(k)) !== JSON.stringify(v))).toEqual([]);
    // The manual refresh still has its reserve the same day.
    expect(await manualRefreshBlock(t.db, { userId: s.userId, connectionId: s.id, now: new Date(s.h.clock.now()) }, () => s.connector)).toBeNull();

    s.h.clock.set(Date.UTC(2026, 10, 22, 0, 1));
    expect((await s.sync("scheduled")).status).toBe("success");
    expect(s.sentToday()).toBe(1 + 7); // recent window + the 6 remaining older windows + the empty one
    expect(JSON.parse((await s.conn()).syncCursor!)).toMatchObject({ run: null, accounts: { "*": { done: true } } });
    expect(await stored(t.db, s.id)).toEqual(s.truth());
    for (const day of ["2026-11-21", "2026-11-22"]) expect(s.h.emulator.requestsOn(s.user, day)).toBeLessThanOrEqual(24);
  }, 180_000);
});

describe("the schedule spends the budget through sync.due (real queue)", () => {
  it("spreads the rest of the day, defers what would not fit or eat the reserve, and runs at the refill", async () => {
    const s = await setup();
    const every = 30 * 60_000;
    expect((await s.sync("initial", every)).status).toBe("success");
    const used0 = s.sentToday(); // 7 at 09:00: 15 spendable → one every hour (15 h left / 15) rather than every 30 min
    expect(used0).toBe(7);
    expect((await s.conn()).nextSyncAt?.toISOString()).toBe("2026-11-21T10:00:00.000Z");

    // The user refreshed by hand 10 times: at 10:00 only 5 are spendable for the remaining 14 h → not before 09:00 + 2.8 h.
    for (let i = 0; i < 10; i++) expect((await s.sync("manual", every)).status).toBe("success");
    await t.db.update(connections).set({ lastSyncedAt: new Date(Date.UTC(2026, 10, 21, 9)), nextSyncAt: new Date(Date.UTC(2026, 10, 21, 10)) }).where(eq(connections.id, s.id));
    s.h.clock.set(Date.UTC(2026, 10, 21, 10));
    const before = s.h.requestsSent();
    const due = (at: number) => runDueJob(t.db, jobs, { now: new Date(at), defaultIntervalMs: every, connector: s.connector });
    expect(await due(s.h.clock.now())).toMatchObject({ enqueued: 0, deferred: 1 });
    expect((await s.conn()).nextSyncAt?.toISOString()).toBe("2026-11-21T11:48:00.000Z");
    expect(await jobs.byKey("sync.connection", s.id)).toEqual([]);

    // Only the reserve left at 12:00: deferred to the refill; no job, no skipped row, no request.
    for (let i = 0; i < 5; i++) expect((await s.sync("manual", every)).status).toBe("success");
    expect(s.sentToday()).toBe(22);
    // After a run that leaves only the reserve, the engine itself schedules the next one at the refill.
    expect((await s.conn()).nextSyncAt?.toISOString()).toBe("2026-11-22T00:00:00.000Z");
    // sync.due checks again when a connection falls due (here: the 11:48 slot set before those refreshes).
    await t.db.update(connections).set({ nextSyncAt: new Date(Date.UTC(2026, 10, 21, 11, 48)) }).where(eq(connections.id, s.id));
    s.h.clock.set(Date.UTC(2026, 10, 21, 12));
    const skippedBefore = (await t.db.select().from(syncRuns).where(eq(syncRuns.status, "skipped"))).length;
    const sentBefore = s.h.requestsSent();
    expect(await due(s.h.clock.now())).toMatchObject({ enqueued: 0, deferred: 1 });
    expect((await s.conn()).nextSyncAt?.toISOString()).toBe("2026-11-22T00:00:00.000Z");
    expect(await jobs.byKey("sync.connection", s.id)).toEqual([]);
    expect((await t.db.select().from(syncRuns).where(eq(syncRuns.status, "skipped"))).length).toBe(skippedBefore);
    expect(s.h.requestsSent()).toBe(sentBefore);
    expect(before).toBeLessThan(sentBefore);

    // After the refill the due job enqueues it and a worker runs it through the queue.
    s.h.clock.set(Date.UTC(2026, 10, 22, 0, 1));
    expect(await due(s.h.clock.now())).toMatchObject({ enqueued: 1, deferred: 0 });
    const [job] = await jobs.byKey("sync.connection", s.id);
    const worker = await createJobQueue(t, { url: t.url, supervise: false });
    try {
      await worker.work("sync.connection", { pollMs: 500 }, async (data) => runSyncJob(t.db, worker, data as never, { connector: s.connector, clock: s.h.clock, now: () => new Date(s.h.clock.now()), defaultIntervalMs: every }));
      const done = await waitForSync(jobs, job!.id, { timeoutMs: 30_000 });
      expect(done.done && done.output).toMatchObject({ outcome: "success" });
    } finally {
      await worker.stop();
    }
    expect(s.sentToday()).toBe(1);
  });

  it("a PSD2 bank's refreshes a day: at the limit sync.due defers to the next day and the manual refresh is blocked with the time — no skipped rows", async () => {
    const h = await demoHarness(t.db);
    const id = await h.link();
    const budgeted = { ...h.connector, capabilities: { ...h.connector.capabilities, rateBudget: { syncsPerDay: 2 } } } as Connector<unknown>;
    for (let i = 0; i < 2; i++) expect((await h.sync(id, {}, { connector: budgeted })).status).toBe("success");
    const now = new Date(h.clock.now());
    const block = await manualRefreshBlock(t.db, { userId: h.userId, connectionId: id, now }, () => budgeted);
    const nextDay = new Date(Math.floor(h.clock.now() / 86_400_000) * 86_400_000 + 86_400_000);
    expect(block).toEqual({ message: `The bank allows 2 refreshes a day and today's are used; next possible at 00:00 (UTC ${nextDay.toISOString().slice(0, 10)}).`, nextAt: nextDay });
    await t.db.update(connections).set({ nextSyncAt: new Date(h.clock.now() - 1000) }).where(eq(connections.id, id));
    expect(await runDueJob(t.db, jobs, { now, connector: budgeted })).toMatchObject({ enqueued: 0, deferred: 1 });
    const [c] = await t.db.select().from(connections).where(eq(connections.id, id));
    expect(c!.nextSyncAt?.toISOString()).toBe(nextDay.toISOString());
    expect(await jobs.byKey("sync.connection", id)).toEqual([]);
    expect((await t.db.select().from(syncRuns).where(eq(syncRuns.connectionId, id))).map((r) => r.status)).toEqual(["success", "success"]);
    // Without a limit nothing is blocked.
    expect(await manualRefreshBlock(t.db, { userId: h.userId, connectionId: id, now }, () => h.connector)).toBeNull();
  });
});
