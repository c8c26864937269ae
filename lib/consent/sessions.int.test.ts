import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connections, consentSessions, financialAccounts, transactions, users } from "@/db/schema";
import { syncConnection } from "@/lib/sync/engine";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { finqwareHarness } from "@/test/finqware-harness";
import { searchCatalog } from "./catalog";
import { finishConsent, startConsent, submitConsent, viewConsent } from "./sessions";

let t: TestDatabase;
let userId: string;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());
beforeEach(async () => {
  await truncateAll(t);
  const [u] = await t.db.insert(users).values({ email: "c@example.com", passwordHash: "x" }).returning({ id: users.id });
  userId = u!.id;
});

const BT = "bt_ro_aisp_sbx_#2.0";

describe("bank catalogue", () => {
  it("is seeded from data and searchable by name and country", async () => {
    expect((await searchCatalog(t.db, {})).length).toBe(4);
    expect((await searchCatalog(t.db, { country: "bg" })).map((b) => b.name)).toEqual(["First Investment Bank"]);
    expect((await searchCatalog(t.db, { q: "transilv" })).map((b) => [b.name, b.maxConsentDays])).toEqual([["Banca Transilvania", 180]]);
    expect(await searchCatalog(t.db, { q: "%" })).toEqual([]);
  });
});

describe("consent session state machine", () => {
  it("happy path: duration → SCA at the bank → credentials exchanged server-side → connection", async () => {
    const h = finqwareHarness();
    const { sessionId } = await startConsent(t.db, { userId, skillCode: BT }, h.deps);
    const v = await viewConsent(t.db, { userId, sessionId }, h.deps);
    expect(v).toMatchObject({ connectorId: "finqware", status: "created", step: "consent", bank: "Banca Transilvania", maxConsentDays: 180 });
    const step = await submitConsent(t.db, { userId, sessionId, nonce: v.nonce!, consentDays: 120, returnUrl: "http://app.test/x" }, h.deps);
    expect(step.scaUrl).toContain("/sca/");
    // While the user has not approved yet, finishing just polls.
    const pending = await finishConsent(t.db, { userId, sessionId, nonce: step.nonce }, h.deps);
    expect(pending.status).toBe("pending");
    h.emulator.decideSca(await h.providerSessionOf(t.db, sessionId), true);
    const done = await finishConsent(t.db, { userId, sessionId, nonce: (pending as { nonce: string }).nonce }, h.deps);
    expect(done).toMatchObject({ status: "completed", renewed: false });
    const [c] = await t.db.select().from(connections);
    expect(c!.consentExpiresAt!.getTime()).toBe(h.clock.now() + 120 * 86_400_000);
    expect(c!.credentials).not.toContain("fq_at_");
    expect((await viewConsent(t.db, { userId, sessionId }, h.deps)).status).toBe("completed");
  });

  it("rejecting at the bank ends the session and links nothing", async () => {
    const h = finqwareHarness();
    const { sessionId } = await startConsent(t.db, { userId, skillCode: BT }, h.deps);
    const v = await viewConsent(t.db, { userId, sessionId }, h.deps);
    const step = await submitConsent(t.db, { userId, sessionId, nonce: v.nonce!, consentDays: 30, returnUrl: "x" }, h.deps);
    h.emulator.decideSca(await h.providerSessionOf(t.db, sessionId), false);
    expect(await finishConsent(t.db, { userId, sessionId, nonce: step.nonce }, h.deps)).toMatchObject({ status: "rejected" });
    expect(await t.db.select().from(connections)).toHaveLength(0);
  });

  it("a replayed or out-of-order step is refused; reloading resumes with a fresh nonce", async () => {
    const h = finqwareHarness();
    const { sessionId } = await startConsent(t.db, { userId, skillCode: BT }, h.deps);
    const first = await viewConsent(t.db, { userId, sessionId }, h.deps);
    const reload = await viewConsent(t.db, { userId, sessionId }, h.deps); // reload: same screen, new nonce
    expect(reload.step).toBe("consent");
    await expect(submitConsent(t.db, { userId, sessionId, nonce: first.nonce!, consentDays: 30, returnUrl: "x" }, h.deps)).rejects.toThrow(/already submitted or is out of order/);
    const step = await submitConsent(t.db, { userId, sessionId, nonce: reload.nonce!, consentDays: 30, returnUrl: "x" }, h.deps);
    await expect(submitConsent(t.db, { userId, sessionId, nonce: step.nonce, consentDays: 30, returnUrl: "x" }, h.deps)).rejects.toThrow(/out of order/);
    await expect(finishConsent(t.db, { userId, sessionId, nonce: reload.nonce! }, h.deps)).rejects.toThrow(/already submitted/);
    const after = await viewConsent(t.db, { userId, sessionId }, h.deps);
    expect(after).toMatchObject({ status: "awaiting_sca", step: "sca", consentDays: 30 });
  });

  it("a consent longer than the bank allows gets a clear message and changes nothing", async () => {
    const h = finqwareHarness();
    const { sessionId } = await startConsent(t.db, { userId, skillCode: "ing_ro_aisp_sbx_#1.0" }, h.deps);
    const v = await viewConsent(t.db, { userId, sessionId }, h.deps);
    await expect(submitConsent(t.db, { userId, sessionId, nonce: v.nonce!, consentDays: 91, returnUrl: "x" }, h.deps)).rejects.toThrow("ING Bank România grants consents of at most 90 days");
    const [s] = await t.db.select().from(consentSessions).where(eq(consentSessions.id, sessionId));
    expect(s).toMatchObject({ status: "created", currentStep: "consent", consentDays: null });
  });

  it("an abandoned session expires after 30 minutes", async () => {
    const h = finqwareHarness();
    const { sessionId } = await startConsent(t.db, { userId, skillCode: BT }, h.deps);
    const v = await viewConsent(t.db, { userId, sessionId }, h.deps);
    h.clock.advance(31 * 60_000);
    await expect(submitConsent(t.db, { userId, sessionId, nonce: v.nonce!, consentDays: 30, returnUrl: "x" }, h.deps)).rejects.toThrow(/expired after 30 minutes/);
    expect((await viewConsent(t.db, { userId, sessionId }, h.deps)).status).toBe("expired");
  });

  it("another user cannot see or drive someone's session", async () => {
    const h = finqwareHarness();
    const { sessionId } = await startConsent(t.db, { userId, skillCode: BT }, h.deps);
    const [other] = await t.db.insert(users).values({ email: "o@example.com", passwordHash: "x" }).returning({ id: users.id });
    await expect(viewConsent(t.db, { userId: other!.id, sessionId }, h.deps)).rejects.toThrow(/does not exist/);
  });
});

describe("consent lifecycle and sync", () => {
  it("syncs incrementally; renewal keeps the same accounts (by IBAN) and history without duplicates", async () => {
    const h = finqwareHarness();
    const id = await h.consent(t.db, userId);
    const deps = { connector: h.connector, clock: h.clock };
    expect((await syncConnection(t.db, { userId, connectionId: id, trigger: "initial" }, deps)).status).toBe("success");
    const accts = await t.db.select().from(financialAccounts);
    expect(accts.length).toBe(4);
    expect(accts.every((a) => a.iban?.startsWith("RO"))).toBe(true);
    const before = (await t.db.select().from(transactions)).length;
    const truth = h.emulator.liveTransactions(userId, BT);
    expect(before).toBe(truth.length);

    // Renew while valid: a new consent, same connection, same account rows, same history.
    h.clock.advance(2 * 86_400_000);
    const renewed = await h.consent(t.db, userId, BT, id);
    expect(renewed).toBe(id);
    h.emulator.advance(userId, BT, 3);
    const r = await syncConnection(t.db, { userId, connectionId: id, trigger: "manual" }, deps);
    expect(r.status).toBe("success");
    const after = await t.db.select().from(financialAccounts);
    expect(after.map((a) => a.id).sort()).toEqual(accts.map((a) => a.id).sort());
    const live = await t.db.select().from(transactions);
    const liveTruth = h.emulator.liveTransactions(userId, BT);
    expect(live.filter((x) => !x.deletedAt).map((x) => x.providerTransactionId).sort()).toEqual(liveTruth.map((x) => x.utx).sort());
    expect(await t.db.select().from(connections)).toHaveLength(1);
  });

  it("the daily access limit: a refresh that would exceed it is not attempted, and says when the next is possible", async () => {
    const h = finqwareHarness();
    const id = await h.consent(t.db, userId);
    const deps = { connector: h.connector, clock: h.clock };
    expect((await syncConnection(t.db, { userId, connectionId: id, trigger: "initial" }, deps)).status).toBe("success");
    h.clock.advance(10 * 60_000);
    expect((await syncConnection(t.db, { userId, connectionId: id, trigger: "manual" }, deps)).status).toBe("success");
    h.clock.advance(10 * 60_000);
    const third = await syncConnection(t.db, { userId, connectionId: id, trigger: "manual" }, deps);
    expect(third).toMatchObject({ status: "error", code: "rate_limited", message: expect.stringContaining("allows 2 refreshes a day") });
    if (third.status !== "error") return;
    expect(third.retryAt!.toISOString()).toBe("2026-11-22T00:00:00.000Z");
    // The bank itself was not asked: its 4-reads budget for today still has room for exactly nothing more than 2 syncs used.
    const [c] = await t.db.select().from(connections).where(eq(connections.id, id));
    expect(c!.status).toBe("active");
    expect(c!.retryAt!.toISOString()).toBe("2026-11-22T00:00:00.000Z");
    h.clock.advance(86_400_000);
    expect((await syncConnection(t.db, { userId, connectionId: id, trigger: "manual" }, deps)).status).toBe("success");
  });

  it("an expired consent → reauth_required, data kept; the bank's own expiry maps the same way", async () => {
    const h = finqwareHarness();
    const id = await h.consent(t.db, userId);
    const deps = { connector: h.connector, clock: h.clock };
    await syncConnection(t.db, { userId, connectionId: id, trigger: "initial" }, deps);
    const rows = (await t.db.select().from(transactions)).length;
    h.clock.advance(91 * 86_400_000);
    const r = await syncConnection(t.db, { userId, connectionId: id, trigger: "scheduled" }, deps);
    expect(r).toMatchObject({ status: "error", code: "reauth_required", message: expect.stringContaining("Renew it") });
    const [c] = await t.db.select().from(connections).where(eq(connections.id, id));
    expect(c!.status).toBe("reauth_required");
    expect((await t.db.select().from(transactions)).length).toBe(rows);

    // Renewing after expiry works too, and the connection is active again.
    await h.consent(t.db, userId, BT, id);
    expect((await t.db.select().from(connections).where(eq(connections.id, id)))[0]!.status).toBe("active");
    // The provider revoking early (expired_credentials from Finqware) is also reauth.
    h.emulator.failNext(401, "unauthorized", "expired_credentials");
    await expect(h.connector.listAccounts({ credentialsId: "x", accessToken: "y", tenantUserId: userId, skill: BT })).rejects.toMatchObject({ code: "reauth_required" });
  });
});
