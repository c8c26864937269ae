import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connections, syncRuns, users } from "@/db/schema";
import { linkConnection } from "@/lib/connections/service";
import { syncConnection } from "@/lib/sync/engine";
import { DEFAULT_RETRY } from "@/lib/sync/retry";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { describeConformance, stored } from "../conformance";
import type { Connector } from "../contract";
import type { FinqwareCredentials } from "./connector";
import { finqwareHarness } from "@/test/finqware-harness";
import { fromUnits } from "@/lib/money/decimal";

const BT = "bt_ro_aisp_sbx_#2.0";

describeConformance("finqware (PSD2 consent → local Finqware)", async () => {
  const h = finqwareHarness();
  const c = h.connector;
  return {
    connector: c as Connector<unknown>,
    clock: h.clock,
    linkPayload: async () => {
      // What a completed consent session hands the server: drive the provider's steps directly.
      const s = await c.startSession({ tenantUserId: "tenant-1", skill: BT });
      const step = await c.step({ sessionId: s.sessionId, nonce: s.nonce, skill: BT, step: "consent", data: { consent_days: 90 } });
      h.emulator.decideSca(s.sessionId, true);
      const done = await c.step({ sessionId: s.sessionId, nonce: step.nonce, skill: BT, step: "finalize" });
      return { temp_token: done.data.temp_token, skill: BT, tenant_user_id: "tenant-1", servicer_id: "bt_ro", servicer_name: "Banca Transilvania" };
    },
    secretsOf: (cr) => [(cr as FinqwareCredentials).accessToken],
    // A day passes each time: the bank's 2-refreshes-a-day budget allows the next sync.
    advance: async (cr) => {
      h.emulator.advance((cr as FinqwareCredentials).tenantUserId, BT, 3);
      h.clock.advance(86_400_000);
    },
    groundTruth: async (cr) =>
      new Map(
        h.emulator
          .liveTransactions((cr as FinqwareCredentials).tenantUserId, BT)
          .map((r) => [r.utx, { amount: fromUnits(BigInt(r.tx.amount_cents) * 100n, 4).replace(/(\.\d\d)00$/, "$1"), pending: r.status === "pending", date: r.tx.date }]),
      ),
    failNext: (code) =>
      code === "reauth_required"
        ? h.emulator.failNext(401, "unauthorized", "expired_credentials")
        : code === "rate_limited"
          ? h.emulator.failNext(429, "external_api_error", "external_api_too_many_requests")
          : h.emulator.failNext(500, "internal_server_error", "internal_error"),
  };
});


describe("finqware: one session per run, per-account failures, date ranges at the bank", () => {
  let t: TestDatabase;
  let userId: string;
  let h: ReturnType<typeof finqwareHarness>;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await truncateAll(t);
    h = finqwareHarness();
    const [u] = await t.db.insert(users).values({ email: "fq@example.com", passwordHash: "x" }).returning({ id: users.id });
    userId = u!.id;
  });

  const link = async () => {
    const c = h.connector;
    const s = await c.startSession({ tenantUserId: "tenant-1", skill: BT });
    const step = await c.step({ sessionId: s.sessionId, nonce: s.nonce, skill: BT, step: "consent", data: { consent_days: 90 } });
    h.emulator.decideSca(s.sessionId, true);
    const done = await c.step({ sessionId: s.sessionId, nonce: step.nonce, skill: BT, step: "finalize" });
    const payload = { temp_token: done.data.temp_token, skill: BT, tenant_user_id: "tenant-1", servicer_id: "bt_ro", servicer_name: "Banca Transilvania" };
    return (await linkConnection(t.db, { userId, connectorId: "finqware", payload }, { connector: h.connector as Connector<unknown> })).connectionId;
  };
  const sync = (connectionId: string, extra: Partial<Parameters<typeof syncConnection>[1]> = {}) =>
    syncConnection(t.db, { userId, connectionId, trigger: "manual", ...extra }, { connector: h.connector as Connector<unknown>, clock: h.clock });
  const truth = () =>
    new Map(h.emulator.liveTransactions("tenant-1", BT).map((r) => [r.utx, { amount: fromUnits(BigInt(r.tx.amount_cents) * 100n, 4).replace(/(\.\d\d)00$/, "$1"), pending: r.status === "pending", date: r.tx.date }]));
  const accountsReads = () => h.emulator.requests.filter((r) => r.path === "/v1/accounts/get").length;

  it("a run reads accounts/get once (snapshot and pages share the session), and nothing is cached between runs", async () => {
    const id = await link();
    const before = accountsReads();
    expect((await sync(id)).status).toBe("success");
    expect(accountsReads() - before).toBe(1);
    h.clock.advance(86_400_000);
    expect((await sync(id)).status).toBe("success");
    expect(accountsReads() - before).toBe(2);
  });

  it("one account failing (its reads keep answering 500) does not fail the run: the others are committed, the run is partial with a warning, and the next sync reads the gap", async () => {
    const id = await link();
    const [bad, ...good] = h.emulator.ibans("tenant-1", BT);
    expect(good.length).toBeGreaterThan(0);
    // Every attempt of this run (the engine retries 4 times) fails for that account only.
    h.emulator.failAccount(bad!, 500, "internal_server_error", "internal_error", DEFAULT_RETRY.maxAttempts);
    const r = await sync(id, { trigger: "initial" });
    expect(r).toMatchObject({ status: "success", accountWarnings: [{ providerAccountId: bad, code: "provider_unavailable" }] });
    const [run] = await t.db.select().from(syncRuns).where(eq(syncRuns.id, (r as { runId: string }).runId));
    expect(run).toMatchObject({ status: "partial", errorCode: "account_unavailable" });
    expect(run!.warnings).toEqual([expect.stringMatching(new RegExp(`…${bad!.slice(-4)}\\) was not synced this time: The provider is not responding`))]);
    const got = await stored(t.db, id);
    const want = truth();
    const ibanOf = new Map(h.emulator.liveTransactions("tenant-1", BT).map((x) => [x.utx, x.accountIban]));
    // Every other account is complete; the failed one has nothing yet.
    for (const [utx] of want) expect(got.has(utx)).toBe(ibanOf.get(utx) !== bad);
    const [conn] = await t.db.select().from(connections).where(eq(connections.id, id));
    expect(conn!.status).toBe("active");
    // The connection keeps the partial run's reason (the Overview lists it) until a full sync.
    expect(conn).toMatchObject({ lastErrorCode: "account_unavailable", lastErrorMessage: expect.stringContaining("1 account could not be read") });

    // The bank answers again the next day: the skipped account's whole history arrives.
    h.clock.advance(86_400_000);
    const next = await sync(id);
    expect(next).toMatchObject({ status: "success" });
    expect(next).not.toHaveProperty("accountWarnings");
    const after = await stored(t.db, id);
    expect([...want.keys()].filter((k) => !after.has(k))).toEqual([]);
    expect(after.size).toBe(want.size);
    const [healed] = await t.db.select().from(connections).where(eq(connections.id, id));
    expect(healed).toMatchObject({ status: "active", lastErrorCode: null, lastErrorMessage: null });
  });

  it("every account failing is the bank failing, not a partial sync: the run is an error and the connection shows it", async () => {
    const id = await link();
    for (const iban of h.emulator.ibans("tenant-1", BT)) h.emulator.failAccount(iban, 500, "internal_server_error", "internal_error", DEFAULT_RETRY.maxAttempts);
    const r = await sync(id, { trigger: "initial" });
    expect(r).toMatchObject({ status: "error", code: "provider_unavailable" });
    const [run] = await t.db.select().from(syncRuns).where(eq(syncRuns.id, (r as { runId: string }).runId));
    expect(run).toMatchObject({ status: "error", errorCode: "provider_unavailable", errorMessage: expect.stringContaining("No account could be read") });
    const [conn] = await t.db.select().from(connections).where(eq(connections.id, id));
    expect(conn).toMatchObject({ status: "error", lastErrorCode: "provider_unavailable" });
  });

  it("a rate limit on one account's reads stops the run (the next account would spend the same limit): an error with the bank's limit, not a partial", async () => {
    const id = await link();
    const [first] = h.emulator.ibans("tenant-1", BT);
    h.emulator.failAccount(first!, 429, "external_api_error", "external_api_too_many_requests", DEFAULT_RETRY.maxAttempts);
    const before = h.emulator.requests.filter((x) => x.path === "/v1/transactions/get").length;
    const r = await sync(id, { trigger: "initial" });
    expect(r).toMatchObject({ status: "error", code: "rate_limited" });
    const [conn] = await t.db.select().from(connections).where(eq(connections.id, id));
    expect(conn).toMatchObject({ status: "error", lastErrorCode: "rate_limited" });
    // No other account was read after the limit answered.
    const reads = h.emulator.requests.filter((x) => x.path === "/v1/transactions/get").slice(before);
    expect(reads.length).toBeGreaterThan(0);
    expect(new Set(reads.map((x) => x.filter?.account_id)).size).toBe(1);
  });

  it("a partial run's date range goes to the bank as booking_date_gte/lte (not the whole history filtered here)", async () => {
    const id = await link();
    const live = h.emulator.liveTransactions("tenant-1", BT);
    const dates = [...new Set(live.map((x) => x.tx.date))].sort();
    const from = dates[Math.floor(dates.length / 2)]!;
    const to = dates[Math.floor(dates.length / 2) + 5]!;
    const mark = h.emulator.requests.length;
    const r = await sync(id, { dateRange: { from, to } });
    expect(r.status).toBe("success");
    const reads = h.emulator.requests.slice(mark).filter((x) => x.path === "/v1/transactions/get");
    expect(reads.length).toBe(h.emulator.ibans("tenant-1", BT).length);
    for (const x of reads) expect(x.filter).toMatchObject({ booking_date_gte: from, booking_date_lte: to });
    const got = await stored(t.db, id);
    const inRange = live.filter((x) => x.tx.date >= from && x.tx.date <= to);
    expect(got.size).toBe(inRange.length);
    for (const x of inRange) expect(got.has(x.utx)).toBe(true);
  });
});
