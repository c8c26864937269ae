import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connections, consentSessions, financialAccounts, syncRuns, transactions, users } from "@/db/schema";
import { consentState, EXPIRED_MESSAGE, pollConsent, REJECTED_MESSAGE, startConsent, submitConsent, viewConsent } from "@/lib/consent/sessions";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { finqwareHarness } from "@/test/finqware-harness";
import { enqueueConsentFinalize, pollDelayMs, runConsentJob } from "./consent-jobs";
import { startWorker } from "./index";
import { createJobQueue, type JobQueue } from "./queue";

/**
 * `consent.finalize`: the decoupled-SCA poll runs on the server. No browser polls here:
 * the user approves (or rejects) "in the banking app" (the local Finqware's decision),
 * and the queue does the rest.
 */

let t: TestDatabase;
let jobs: JobQueue;
let userId: string;
beforeAll(async () => {
  t = await createTestDatabase();
  jobs = await createJobQueue(t, { url: t.url, supervise: false });
});
afterAll(async () => {
  await jobs.stop();
  await t.close();
});
beforeEach(async () => {
  await truncateAll(t);
  const [u] = await t.db.insert(users).values({ email: `c${Math.random().toString(36).slice(2)}@example.com`, passwordHash: "x" }).returning({ id: users.id });
  userId = u!.id;
});

const BT = "bt_ro_aisp_sbx_#2.0";

/** Start a session and submit the consent screen: the user is now asked to approve at the bank. */
async function awaitingApproval(h: ReturnType<typeof finqwareHarness>, renewConnectionId?: string) {
  const { sessionId } = await startConsent(t.db, { userId, skillCode: BT, renewConnectionId }, h.deps);
  const v = await viewConsent(t.db, { userId, sessionId }, h.deps);
  await submitConsent(t.db, { userId, sessionId, nonce: v.nonce!, consentDays: 90, returnUrl: "http://app.test/back" }, h.deps);
  return { sessionId, providerSession: await h.providerSessionOf(t.db, sessionId) };
}

async function until<T>(what: string, fn: () => Promise<T | false | null | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const queued = async (sessionId: string) => (await jobs.byKey("consent.finalize", sessionId)).filter((j) => j.state === "created" || j.state === "retry");

describe("consent.finalize", () => {
  it("approve in the app with no browser polling: the worker links the connection and imports it; it keeps a schedule", async () => {
    const h = finqwareHarness();
    const { sessionId, providerSession } = await awaitingApproval(h);
    expect(await enqueueConsentFinalize(jobs, { userId, sessionId })).toMatch(/^[0-9a-f-]{36}$/);
    const worker = await createJobQueue(t, { url: t.url, supervise: false });
    try {
      await startWorker(t, worker, {
        pollMs: 500,
        deps: { connector: h.connector, clock: h.clock },
        consentDeps: { connector: h.connector, now: h.clock.now, firstPollMs: 200, maxPollMs: 400 },
      });
      // The server polls while the bank still waits: at least two polls come back "pending".
      await until("two pending polls", async () => {
        const done = (await jobs.byKey("consent.finalize", sessionId, 20)).filter((j) => j.state === "completed" && j.output?.outcome === "pending");
        return done.length >= 2;
      });
      const [s0] = await t.db.select().from(consentSessions).where(eq(consentSessions.id, sessionId));
      expect(s0!.status).toBe("awaiting_sca");
      expect(await t.db.select().from(connections)).toHaveLength(0);

      h.emulator.decideSca(providerSession, true); // the user approves in the banking app

      const run = await until("the first import", async () => {
        const [r] = await t.db.select().from(syncRuns).where(eq(syncRuns.status, "success"));
        return r;
      });
      expect(run.trigger).toBe("initial");
      const state = await consentState(t.db, { userId, sessionId }, h.deps);
      expect(state).toMatchObject({ status: "completed", failure: null, renewal: false });
      expect(state.connectionId).toBe(run.connectionId);
      expect(state.syncJobId).toMatch(/^[0-9a-f-]{36}$/);
      const stored = await t.db.select({ id: transactions.providerTransactionId }).from(transactions).innerJoin(financialAccounts, eq(financialAccounts.id, transactions.accountId)).where(eq(financialAccounts.connectionId, run.connectionId));
      expect(stored.map((x) => x.id).sort()).toEqual(h.emulator.liveTransactions(userId, BT).map((x) => x.utx).sort());
      const [c] = await t.db.select().from(connections).where(eq(connections.id, run.connectionId));
      expect(c!.status).toBe("active");
      expect(c!.nextSyncAt).not.toBeNull();
      // The poll chain ended: nothing more waits for this session.
      await until("the chain to end", async () => (await queued(sessionId)).length === 0);
    } finally {
      await worker.stop();
    }
  });

  it("rejection at the bank: the session fails with the reason, nothing is linked, polling stops", async () => {
    const h = finqwareHarness();
    const { sessionId, providerSession } = await awaitingApproval(h);
    const deps = { connector: h.connector, now: h.clock.now };
    const first = await runConsentJob(t.db, jobs, { userId, sessionId }, deps);
    expect(first).toMatchObject({ outcome: "pending" });
    expect((await queued(sessionId)).map((j) => j.data.polls)).toEqual([1]);
    h.emulator.decideSca(providerSession, false);
    const [next] = await queued(sessionId);
    expect(await runConsentJob(t.db, jobs, next!.data as never, deps)).toEqual({ outcome: "rejected", message: REJECTED_MESSAGE });
    expect(await consentState(t.db, { userId, sessionId }, h.deps)).toMatchObject({ status: "rejected", failure: REJECTED_MESSAGE, connectionId: null, syncJobId: null });
    expect(await t.db.select().from(connections)).toHaveLength(0);
    // A late poll of the finished session does nothing and queues nothing more.
    const before = (await queued(sessionId)).length;
    expect(await runConsentJob(t.db, jobs, { userId, sessionId }, deps)).toEqual({ outcome: "idle", sessionStatus: "rejected" });
    expect((await queued(sessionId)).length).toBe(before);
  });

  it("no answer within the session's 30 minutes: expired with the reason", async () => {
    const h = finqwareHarness();
    const { sessionId } = await awaitingApproval(h);
    h.clock.advance(31 * 60_000);
    expect(await runConsentJob(t.db, jobs, { userId, sessionId }, { connector: h.connector, now: h.clock.now })).toEqual({ outcome: "expired", message: EXPIRED_MESSAGE });
    expect(await consentState(t.db, { userId, sessionId }, h.deps)).toMatchObject({ status: "expired", failure: EXPIRED_MESSAGE });
    expect(await queued(sessionId)).toEqual([]);
  });

  it("two pollers at once after approval link exactly one connection (the session is leased per poll)", async () => {
    const h = finqwareHarness();
    const { sessionId, providerSession } = await awaitingApproval(h);
    h.emulator.decideSca(providerSession, true);
    const deps = { connector: h.connector, now: h.clock.now };
    const results = await Promise.all([pollConsent(t.db, { userId, sessionId }, deps), pollConsent(t.db, { userId, sessionId }, deps)]);
    // One completes; the other finds the session leased ("busy") or already finished ("idle").
    expect(results.filter((r) => r.status === "completed")).toHaveLength(1);
    expect(results.filter((r) => r.status !== "completed").map((r) => r.status)).toEqual([expect.stringMatching(/^(busy|idle)$/)]);
    expect(await t.db.select().from(connections)).toHaveLength(1);
  });

  it("renewal: the same connection is renewed in place and refreshed", async () => {
    const h = finqwareHarness();
    const id = await h.consent(t.db, userId);
    const { sessionId, providerSession } = await awaitingApproval(h, id);
    h.emulator.decideSca(providerSession, true);
    const out = await runConsentJob(t.db, jobs, { userId, sessionId }, { connector: h.connector, now: h.clock.now });
    expect(out).toMatchObject({ outcome: "completed", connectionId: id });
    expect(await t.db.select().from(connections)).toHaveLength(1);
    const [job] = (await jobs.byKey("sync.connection", id)).filter((j) => j.state === "created");
    expect(job!.data).toMatchObject({ connectionId: id, trigger: "manual" });
    expect((await consentState(t.db, { userId, sessionId }, h.deps)).syncJobId).toBe(job!.id);
  });

  it("polls back off: 1 s, 2 s, 4 s, then every 5 s", () => {
    expect([0, 1, 2, 3, 4, 10].map((n) => pollDelayMs(n))).toEqual([1000, 2000, 4000, 5000, 5000, 5000]);
  });
});
