import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connections, financialAccounts, syncRuns, transactions, users } from "@/db/schema";
import { linkConnection } from "@/lib/connections/service";
import { firstDelivery } from "@/lib/connections/webhooks";
import { openSecret } from "@/lib/crypto";
import { syncConnection } from "@/lib/sync/engine";
import { DEFAULT_RETRY } from "@/lib/sync/retry";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { fakeClock } from "@/test/sync-harness";
import { tellerHarness } from "@/test/teller-harness";
import { describeConformance, stored } from "../conformance";
import type { TellerCredentials } from "./connector";

describeConformance("teller (mTLS client → local Teller over HTTPS)", async () => {
  const h = await tellerHarness({ pageSize: 25 });
  return {
    connector: h.connector,
    clock: fakeClock(),
    linkPayload: async () => h.enroll(),
    secretsOf: (c) => [(c as TellerCredentials).accessToken],
    advance: async (c) => h.emulator.advance((c as TellerCredentials).enrollmentId, 3),
    groundTruth: h.groundTruth,
    failNext: (code) =>
      code === "reauth_required"
        ? h.emulator.failNext(403, "enrollment.disconnected.credentials_invalid")
        : code === "rate_limited"
          ? h.emulator.failNext(429, "too_many_requests")
          : h.emulator.failNext(502, "bad_gateway"),
  };
});

describe("teller specifics", () => {
  let t: TestDatabase;
  let userId: string;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await truncateAll(t);
    const [u] = await t.db.insert(users).values({ email: "t@example.com", passwordHash: "x" }).returning({ id: users.id });
    userId = u!.id;
  });

  const creds = async (connectionId: string) => {
    const [c] = await t.db.select().from(connections).where(eq(connections.id, connectionId));
    return openSecret<TellerCredentials>(c!.credentials, c!.id);
  };
  const live = async (connectionId: string) => new Set((await stored(t.db, connectionId)).keys());

  it("a webhook id is processed once: a replay is refused", async () => {
    expect(await firstDelivery(t.db, "teller", "wh_abc")).toBe(true);
    expect(await firstDelivery(t.db, "teller", "wh_abc")).toBe(false);
    expect(await firstDelivery(t.db, "plaid", "wh_abc")).toBe(true);
  });

  it("mutual TLS: without a client certificate Teller answers 400 bad_request, mapped to invalid_request", async () => {
    const h = await tellerHarness({ withClientCert: false });
    const e = h.enroll();
    await expect(h.connector.listAccounts({ accessToken: e.accessToken, enrollmentId: e.enrollment.id })).rejects.toMatchObject({ code: "invalid_request", opts: { providerCode: "bad_request", status: 400 } });
    // Not enforced (sandbox-style): the same request goes through.
    h.emulator.requireClientCert = false;
    expect((await h.connector.listAccounts({ accessToken: e.accessToken, enrollmentId: e.enrollment.id })).length).toBe(4);
    await h.close();
  });

  it("paging edges: exact multiple of count, empty account, and a 502 mid-paging retried", async () => {
    for (const pageSize of [1, 7, 50]) {
      await truncateAll(t);
      const [u] = await t.db.insert(users).values({ email: `t${pageSize}@example.com`, passwordHash: "x" }).returning({ id: users.id });
      const h = await tellerHarness({ pageSize, historyDays: 20 });
      const deps = { connector: h.connector, clock: fakeClock() };
      const { connectionId } = await linkConnection(t.db, { userId: u!.id, connectorId: "teller", payload: h.enroll() }, deps);
      // A 500 in the middle of paging (a follow-up page, from_id set) is retried, and the sync completes.
      if (pageSize === 7) h.emulator.failNext(500, "internal_server_error", { path: /transactions\?.*from_id=/ });
      const r = await syncConnection(t.db, { userId: u!.id, connectionId, trigger: "initial" }, deps);
      expect(r.status).toBe("success");
      expect(h.emulator.pendingFaults).toBe(0); // the injected 500 really happened
      const truth = await h.groundTruth(await creds(connectionId));
      expect([...(await live(connectionId))].sort()).toEqual([...truth.keys()].sort());
      await h.close();
    }
    // pageSize 1: every page is full, so paging ends on an empty page (the exact-multiple case).
    // Empty accounts: no transactions at all, paging stops at once and nothing breaks.
    const h = await tellerHarness({ pageSize: 5 });
    const deps = { connector: h.connector, clock: fakeClock() };
    const [v] = await t.db.insert(users).values({ email: "empty@example.com", passwordHash: "x" }).returning({ id: users.id });
    const { connectionId } = await linkConnection(t.db, { userId: v!.id, connectorId: "teller", payload: h.enroll("username", { mode: "empty" }) }, deps);
    const r = await syncConnection(t.db, { userId: v!.id, connectionId, trigger: "initial" }, deps);
    expect(r).toMatchObject({ status: "success", accounts: 4, diff: { added: 0, removed: 0 } });
    await h.close();
  });

  it("a pending transaction that disappears is removed; its posted successor does not duplicate it", async () => {
    const h = await tellerHarness({ pageSize: 30 });
    const clock = fakeClock();
    const deps = { connector: h.connector, clock };
    const { connectionId } = await linkConnection(t.db, { userId, connectorId: "teller", payload: h.enroll() }, deps);
    await syncConnection(t.db, { userId, connectionId, trigger: "initial" }, deps);
    const c = await creds(connectionId);
    const pendingBefore = await t.db.select().from(transactions).where(and(eq(transactions.pending, true), isNull(transactions.deletedAt)));
    expect(pendingBefore.length).toBeGreaterThan(0);
    h.emulator.advance(c.enrollmentId, 2); // pendings post under new ids, new pendings appear
    const r = await syncConnection(t.db, { userId, connectionId, trigger: "manual" }, deps);
    expect(r.status).toBe("success");
    const truth = await h.groundTruth(c);
    expect([...(await live(connectionId))].sort()).toEqual([...truth.keys()].sort());
    for (const p of pendingBefore) {
      const [row] = await t.db.select().from(transactions).where(eq(transactions.id, p.id));
      // Either it became its posted successor in place (same amount), or it was tombstoned.
      expect(row!.pending === false || row!.deletedReason === "provider_removed").toBe(true);
    }
    await h.close();
  });

  it("one account's transactions failing (502 on every retry) does not fail the run: partial with a warning, the others committed, the gap read next time", async () => {
    const h = await tellerHarness({ pageSize: 30 });
    const deps = { connector: h.connector, clock: fakeClock() };
    const e = h.enroll();
    const { connectionId } = await linkConnection(t.db, { userId, connectorId: "teller", payload: e }, deps);
    const c = await creds(connectionId);
    const accts = (await h.connector.listAccounts(c)).map((a) => a.providerAccountId).sort();
    const bad = accts[1]!;
    // The emulator's fault switch, scoped to that account's transaction reads: every attempt of this run fails.
    h.emulator.failNext(502, "bad_gateway", { path: new RegExp(`/accounts/${bad}/transactions`), times: DEFAULT_RETRY.maxAttempts });
    const r = await syncConnection(t.db, { userId, connectionId, trigger: "initial" }, deps);
    expect(r).toMatchObject({ status: "success", accountWarnings: [{ providerAccountId: bad, code: "provider_unavailable" }] });
    expect(h.emulator.pendingFaults).toBe(0);
    const [run] = await t.db.select().from(syncRuns).where(eq(syncRuns.id, (r as { runId: string }).runId));
    expect(run).toMatchObject({ status: "partial", errorCode: "account_unavailable" });
    expect(run!.warnings).toHaveLength(1);
    expect(run!.warnings[0]).toMatch(/was not synced this time/);
    const truth = await h.groundTruth(c);
    const [badRow] = await t.db.select().from(financialAccounts).where(and(eq(financialAccounts.connectionId, connectionId), eq(financialAccounts.providerAccountId, bad)));
    const stored1 = await t.db.select({ id: transactions.providerTransactionId, accountId: transactions.accountId }).from(transactions).where(isNull(transactions.deletedAt));
    expect(stored1.filter((x) => x.accountId === badRow!.id)).toHaveLength(0);
    expect(stored1.length).toBeGreaterThan(0);
    // The next sync reads the skipped account's whole history: the store equals Teller's.
    const again = await syncConnection(t.db, { userId, connectionId, trigger: "manual" }, deps);
    expect(again.status).toBe("success");
    expect(again).not.toHaveProperty("accountWarnings");
    expect([...(await live(connectionId))].sort()).toEqual([...truth.keys()].sort());
    await h.close();
  });

  it("a closed account (410 Gone) is kept and marked closed, not an error", async () => {
    const h = await tellerHarness();
    const deps = { connector: h.connector, clock: fakeClock() };
    const e = h.enroll();
    const { connectionId } = await linkConnection(t.db, { userId, connectorId: "teller", payload: e }, deps);
    await syncConnection(t.db, { userId, connectionId, trigger: "initial" }, deps);
    const [acct] = await t.db.select().from(financialAccounts).where(eq(financialAccounts.connectionId, connectionId)).limit(1);
    const before = await t.db.select().from(transactions).where(eq(transactions.accountId, acct!.id));
    h.emulator.closeAccount(e.enrollment.id, acct!.providerAccountId);
    const r = await syncConnection(t.db, { userId, connectionId, trigger: "manual" }, deps);
    expect(r.status).toBe("success");
    const [after] = await t.db.select().from(financialAccounts).where(eq(financialAccounts.id, acct!.id));
    expect(after!.closedAt).not.toBeNull();
    expect((await t.db.select().from(transactions).where(and(eq(transactions.accountId, acct!.id), isNull(transactions.deletedAt)))).length).toBe(before.length);
    await h.close();
  });

  it("the 'disconnected' sandbox user disconnects on the first data request → reauth_required with the reason", async () => {
    const h = await tellerHarness();
    const deps = { connector: h.connector, clock: fakeClock() };
    const e = h.enroll("username");
    const { connectionId } = await linkConnection(t.db, { userId, connectorId: "teller", payload: e }, deps);
    await h.emulator.disconnect(e.enrollment.id, "disconnected.account_locked");
    const r = await syncConnection(t.db, { userId, connectionId, trigger: "manual" }, deps);
    expect(r).toMatchObject({ status: "error", code: "reauth_required", message: expect.stringContaining("locked") });
    const d = h.emulator.enrollDirect("disconnected");
    await expect(h.connector.listAccounts({ accessToken: d.accessToken, enrollmentId: d.enrollment.id })).rejects.toMatchObject({ code: "reauth_required" });
    await h.close();
  });
});
