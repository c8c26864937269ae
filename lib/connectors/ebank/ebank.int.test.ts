import { and, count, eq, isNull, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connections, financialAccounts, syncRuns, transactions, users } from "@/db/schema";
import { linkConnection } from "@/lib/connections/service";
import { openSecret } from "@/lib/crypto";
import { addDays } from "@/lib/dates";
import { syncConnection, type SyncDeps, type SyncRequest } from "@/lib/sync/engine";
import { DEFAULT_RETRY } from "@/lib/sync/retry";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { ebankHarness, ebankUser } from "@/test/ebank-harness";
import { centsToString, daysBetween, sofiaDay } from "@/emulators/ebank/ledger";
import type { EbankEmulator } from "@/emulators/ebank/server";
import { describeConformance, stored, type Truth } from "../conformance";
import type { Connector } from "../contract";
import { BALANCE_RETRY, createEbankConnector, type EbankCredentials } from "./connector";

const PASSWORD = "correct horse";

/** What the bank shows now: every IBAN's entries, or only those of `only`. */
function truth(emulator: EbankEmulator, username: string, only?: string): Truth {
  const out: Truth = new Map();
  emulator.ibans(username).forEach((iban, i) => {
    if (only && iban !== only) return;
    for (const e of emulator.visibleEntries(username, i)) out.set(String(e.srNo), { amount: centsToString(e.cents), pending: false, date: sofiaDay(e.at) });
  });
  return out;
}

describeConformance("ebank (web banking login → local e-bank)", async () => {
  const h = ebankHarness();
  return {
    connector: h.connector as Connector<unknown>,
    clock: h.clock,
    linkPayload: async () => ({ username: "anna", password: PASSWORD }),
    secretsOf: (c) => [(c as EbankCredentials).password],
    // A day passes: new entries, yesterday's card payments settle (modified), and the merchant reverses the latest one (removed).
    advance: async () => {
      const card = h.emulator.visibleEntries("anna", 0).filter((e) => e.trnType === "CP").at(-1);
      if (card) h.emulator.reverse("anna", card.srNo);
      h.clock.advance(86_400_000);
    },
    groundTruth: async () => truth(h.emulator, "anna"),
    failNext: (code) => {
      if (code === "reauth_required") {
        // The session ends and the bank wants a one-time code again: only the user can continue.
        h.emulator.failNext("expire_session", 1, "anna");
        h.emulator.failNext("require_otp", 1, "anna");
      } else if (code === "rate_limited") h.emulator.failNext("rate_limited", 2, "anna"); // one 429 is waited out; a second is reported
      else h.emulator.failNext("maintenance");
    },
    revokesAccess: false,
  };
});

describe("ebank backfill and incremental sync against the local e-bank", () => {
  let t: TestDatabase;
  let userId: string;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await truncateAll(t);
    const [u] = await t.db.insert(users).values({ email: "ebank@example.com", passwordHash: "x" }).returning({ id: users.id });
    userId = u!.id;
  });

  const setup = async (opts: Parameters<typeof ebankHarness>[0] = {}) => {
    const h = ebankHarness({ users: [ebankUser("anna", { years: 5 })], ...opts });
    const { connectionId } = await linkConnection(t.db, { userId, connectorId: "ebank", payload: { username: "anna", password: PASSWORD } }, { connector: h.connector as Connector<unknown> });
    const sync = (deps: SyncDeps = {}, req: Partial<SyncRequest> = {}) => syncConnection(t.db, { userId, connectionId, trigger: "manual", ...req }, { connector: h.connector as Connector<unknown>, clock: h.clock, ...deps });
    const statements = () => h.emulator.log.filter((l) => l.path.endsWith("/GetCustBal"));
    const liveCount = async () =>
      (
        await t.db
          .select({ n: count() })
          .from(transactions)
          .innerJoin(financialAccounts, eq(financialAccounts.id, transactions.accountId))
          .where(and(eq(financialAccounts.connectionId, connectionId), isNull(transactions.deletedAt)))
      )[0]!.n;
    return { h, connectionId, sync, statements, liveCount };
  };

  it("5-year backfill with the session and token expiring mid-way: no gap, no duplicate, never over 30 days", async () => {
    const { h, connectionId, sync, statements, liveCount } = await setup();
    h.emulator.tokenTtlSeconds = 45; // paced at ~1.1 s a request: the token dies every ~40 statements
    h.emulator.expireAfterRequests("anna", 70); // and the bank drops the whole session once, mid-backfill
    const r = await sync();
    expect(r.status).toBe("success");
    const want = truth(h.emulator, "anna");
    expect(want.size).toBeGreaterThan(3500); // ~2 entries a day over 5 years, two accounts
    const got = await stored(t.db, connectionId);
    expect([...want.keys()].filter((k) => !got.has(k))).toEqual([]);
    expect([...got.keys()].filter((k) => !want.has(k))).toEqual([]);
    expect([...want].filter(([k, v]) => JSON.stringify(got.get(k)) !== JSON.stringify(v))).toEqual([]);
    expect(await liveCount()).toBe(want.size);
    // Every statement request stays inside the bank's 30-day cap.
    for (const s of statements()) {
      const q = new URLSearchParams(s.query);
      expect(daysBetween(q.get("FromDate")!.slice(0, 10), q.get("ToDate")!.slice(0, 10)) + 1).toBeLessThanOrEqual(30);
    }
    expect(statements().every((s) => s.status === 200 || s.status === 401)).toBe(true);
    const relogins = h.emulator.log.filter((l) => l.path === "/oauth2-server/login" && l.query === "?client_id=E_BANK").length;
    expect(relogins).toBeGreaterThanOrEqual(4);
    // The oldest stored day is the account's first day: history past the bank's 30-day UI.
    const [oldest] = await t.db.select({ d: sql<string>`min(${transactions.date})` }).from(transactions);
    expect(daysBetween(oldest!.d, sofiaDay(h.clock.now()))).toBeGreaterThan(5 * 365 - 3);
  });

  it("a crash mid-backfill resumes from the last committed window", async () => {
    const { h, connectionId, sync, statements } = await setup({ users: [ebankUser("anna", { years: 3 })] });
    const crash = await sync({
      beforeCommit: (page) => {
        if (page === 30) throw new Error("simulated crash before page 30 commits");
      },
    });
    expect(crash.status).toBe("error");
    const firstRun = statements().length;
    const [c] = await t.db.select().from(connections).where(eq(connections.id, connectionId));
    const cursor = JSON.parse(c!.syncCursor!) as { run: unknown; accounts: Record<string, { back: string }> };
    expect(cursor.run).not.toBeNull(); // the backfill is still under way
    const r = await sync();
    expect(r.status).toBe("success");
    // Statement windows (not the one-day balance reads) per run.
    const windows = (list: { query: string }[]) =>
      list.filter((s) => {
        const q = new URLSearchParams(s.query);
        return q.get("FromDate")!.slice(0, 10) !== q.get("ToDate")!.slice(0, 10);
      }).length;
    const run1 = windows(statements().slice(0, firstRun));
    const run2 = windows(statements().slice(firstRun));
    expect(run1).toBe(30); // 29 committed + the one that crashed
    // A reference: the same history synced in one go.
    const ref = ebankHarness({ users: [ebankUser("bea", { years: 3 })] });
    const { connectionId: refId } = await linkConnection(t.db, { userId, connectorId: "ebank", payload: { username: "bea", password: PASSWORD } }, { connector: ref.connector as Connector<unknown> });
    expect((await syncConnection(t.db, { userId, connectionId: refId, trigger: "manual" }, { connector: ref.connector as Connector<unknown>, clock: ref.clock })).status).toBe("success");
    const full = windows(ref.emulator.log.filter((l) => l.path.endsWith("/GetCustBal")));
    expect(run1 + run2).toBe(full + 1); // only the uncommitted window was read twice
    const got = await stored(t.db, connectionId);
    const want = truth(h.emulator, "anna");
    expect([...want.keys()].filter((k) => !got.has(k))).toEqual([]);
    expect(got.size).toBe(want.size);
  });

  it("incremental syncs re-read only the newest window; a long pause catches up window by window", async () => {
    const { h, connectionId, sync, statements } = await setup({ users: [ebankUser("anna", { years: 1 })] });
    expect((await sync()).status).toBe("success");
    h.clock.advance(86_400_000);
    let before = statements().length;
    expect((await sync()).status).toBe("success");
    // Two balance reads + one newest window per IBAN.
    expect(statements().length - before).toBe(4);
    h.clock.advance(70 * 86_400_000);
    before = statements().length;
    expect((await sync()).status).toBe("success");
    expect(statements().length - before).toBe(2 + 2 * 3); // 71 days behind: three windows per IBAN
    const got = await stored(t.db, connectionId);
    const want = truth(h.emulator, "anna");
    expect([...want.keys()].filter((k) => !got.has(k))).toEqual([]);
    expect([...got.keys()].filter((k) => !want.has(k))).toEqual([]);
  });

  it("a 500 from the statement endpoint is retried, not skipped: no gap", async () => {
    const { h, connectionId, sync, statements } = await setup({ users: [ebankUser("anna", { years: 1 })] });
    h.emulator.failNext("server_error", 2, "anna");
    const r = await sync();
    expect(r.status).toBe("success");
    expect(statements().filter((s) => s.status === 500)).toHaveLength(2);
    const got = await stored(t.db, connectionId);
    const want = truth(h.emulator, "anna");
    expect([...want.keys()].filter((k) => !got.has(k))).toEqual([]);
    expect(got.size).toBe(want.size);
  });

  it("a partial run's date range is what the bank is asked for: 30-day statements inside it only, and only its rows are imported", async () => {
    const { h, connectionId, sync, statements } = await setup({ users: [ebankUser("anna", { years: 2 })] });
    const today = sofiaDay(h.clock.now());
    const day = (n: number) => new Date(Date.parse(`${today}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
    const from = day(75);
    const to = day(10);
    const before = statements().length;
    const r = await sync({}, { dateRange: { from, to } });
    expect(r.status).toBe("success");
    const asked = statements()
      .slice(before)
      .map((s) => new URLSearchParams(s.query))
      .filter((q) => q.get("FromDate")!.slice(0, 10) !== today || q.get("ToDate")!.slice(0, 10) !== today) // not the balance reads
      .map((q) => [q.get("Iban"), q.get("FromDate")!.slice(0, 10), q.get("ToDate")!.slice(0, 10)]);
    const ibans = [...h.emulator.ibans("anna")].sort();
    // 66 days: three statements per account, newest first, none outside the range.
    expect(asked).toEqual(ibans.flatMap((iban) => [[iban, day(39), to], [iban, day(69), day(40)], [iban, from, day(70)]]));
    const want = [...truth(h.emulator, "anna")].filter(([, x]) => x.date >= from && x.date <= to);
    expect(want.length).toBeGreaterThan(10);
    expect([...(await stored(t.db, connectionId)).keys()].sort()).toEqual(want.map(([id]) => id).sort());
  });

  it("stops at the configured history limit", async () => {
    const { h, sync } = await setup({ maxHistoryDays: 100 });
    expect((await sync()).status).toBe("success");
    const [oldest] = await t.db.select({ d: sql<string>`min(${transactions.date})` }).from(transactions);
    expect(daysBetween(oldest!.d, sofiaDay(h.clock.now()))).toBeLessThanOrEqual(100);
    expect(daysBetween(oldest!.d, sofiaDay(h.clock.now()))).toBeGreaterThan(90);
  });

  it("a re-sync of unchanged data read again in 30-day chunks changes nothing: 0 added, 0 modified, 0 removed", async () => {
    const { h, connectionId, sync, statements } = await setup({ users: [ebankUser("anna", { years: 1 })] });
    expect((await sync()).status).toBe("success");
    const first = statements().length;
    // Forget the cursor: the next run reads the whole history again, window by window.
    await t.db.update(connections).set({ syncCursor: null }).where(eq(connections.id, connectionId));
    const r = await sync();
    expect(r.status === "success" && r.pages).toBeGreaterThan(20);
    expect(statements().length - first).toBe(first); // the same windows again
    expect(r.status === "success" && [r.diff.added, r.diff.modified, r.diff.removed]).toEqual([0, 0, 0]);
    const got = await stored(t.db, connectionId);
    expect(got).toEqual(truth(h.emulator, "anna"));
  });

  it("a cursor stored by the connector's own cursor code (before the shared adapter), mid-backfill: the walk continues where it stood, nothing re-read or lost", async () => {
    const { h, connectionId, sync, statements } = await setup({ users: [ebankUser("anna", { years: 1 })] });
    const today = sofiaDay(h.clock.now());
    const from = addDays(today, -59);
    // What the old code had committed: the newest 60 days imported, the backfill under way.
    expect((await sync({}, { dateRange: { from, to: today } })).status).toBe("success");
    const ibans = [...h.emulator.ibans("anna")].sort();
    const lane = `{"head":"${today}","back":"${from}","done":false,"empties":0,"cu":null}`;
    const old = `{"v":1,"accounts":{${ibans.map((i) => `"${i}":${lane}`).join(",")}},"run":{"to":"${today}"}}`;
    await t.db.update(connections).set({ syncCursor: old }).where(eq(connections.id, connectionId));
    const before = statements().length;
    const r = await sync();
    expect(r.status).toBe("success");
    const windows = statements()
      .slice(before)
      .map((s) => new URLSearchParams(s.query))
      .filter((q) => q.get("FromDate")!.slice(0, 10) !== q.get("ToDate")!.slice(0, 10));
    // Backfill only, from the day before the stored `back`, newest first, per IBAN.
    expect(windows.every((q) => q.get("ToDate")!.slice(0, 10) < from)).toBe(true);
    expect(windows.filter((q) => q.get("ToDate")!.slice(0, 10) === addDays(from, -1))).toHaveLength(ibans.length);
    expect(r.status === "success" && [r.diff.modified, r.diff.removed]).toEqual([0, 0]);
    expect(await stored(t.db, connectionId)).toEqual(truth(h.emulator, "anna"));
  });

  it("a changed password fails the run once with a clear message, no retry storm, and waits for the user", async () => {
    const { h, connectionId, sync } = await setup({ users: [ebankUser("anna", { years: 1 })] });
    const [c0] = await t.db.select().from(connections).where(eq(connections.id, connectionId));
    const creds = openSecret<EbankCredentials>(c0!.credentials, c0!.id);
    h.emulator.addUser(ebankUser("anna", { years: 1, password: "changed at the bank" }));
    h.emulator.expireSessions("anna");
    const posts = () => h.emulator.log.filter((l) => l.path === "/oauth2-server/login" && l.query === "").length;
    const before = posts();
    const r = await sync();
    expect(r).toMatchObject({ status: "error", code: "invalid_credentials" });
    expect(r.status === "error" && r.message).toMatch(/did not accept that username and password/);
    expect(posts() - before).toBe(1);
    const [c] = await t.db.select().from(connections).where(eq(connections.id, connectionId));
    expect(c).toMatchObject({ status: "reauth_required", nextSyncAt: null });
    expect(JSON.stringify(c)).not.toContain(creds.password);
    expect(h.emulator.isLocked("anna")).toBe(false);
  });

  it("a bank that rolls its device-trust cookie at each login: the new one is stored the moment it is issued, so a crash right after loses nothing and the next process logs in without a code", async () => {
    const h = ebankHarness({ users: [ebankUser("anna", { years: 1, otp: "246810" })] });
    const settings = { baseUrl: "http://ebank.test", fetch: (input: RequestInfo | URL, init?: RequestInit) => h.emulator.handle(new Request(input, init)), clock: h.clock };
    const { connectionId } = await linkConnection(t.db, { userId, connectorId: "ebank", payload: { username: "anna", password: PASSWORD, otp: "246810" } }, { connector: h.connector as Connector<unknown> });
    const stored = async () => {
      const [c] = await t.db.select().from(connections).where(eq(connections.id, connectionId));
      return openSecret<EbankCredentials>(c!.credentials, c!.id);
    };
    const first = (await stored()).deviceToken;
    expect(first).toBeTruthy();
    h.emulator.rotateDevices = true;

    // A new process (no session in memory) logs in with the stored cookie; the bank re-issues
    // it and revokes the old one; then the process dies before its first page commits.
    const p1 = createEbankConnector(settings) as Connector<unknown>;
    const crash = await syncConnection(t.db, { userId, connectionId, trigger: "scheduled" }, {
      connector: p1,
      clock: h.clock,
      beforeCommit: () => {
        throw new Error("simulated crash before the first page commits");
      },
    });
    expect(crash.status).toBe("error");
    const second = (await stored()).deviceToken;
    expect(second).toBeTruthy();
    expect(second).not.toBe(first);
    // The old cookie is dead at the bank: a login with it would need the one-time code.
    expect((await createEbankConnector(settings).client.login("anna", PASSWORD, first)).kind).toBe("otp");
    expect(JSON.stringify(await t.db.select().from(connections))).not.toContain(second!);

    // The next process logs in with the stored (new) cookie: no code asked, the sync completes and the rolled cookie is stored again.
    const p2 = createEbankConnector(settings) as Connector<unknown>;
    const r = await syncConnection(t.db, { userId, connectionId, trigger: "scheduled" }, { connector: p2, clock: h.clock });
    expect(r.status).toBe("success");
    const third = (await stored()).deviceToken;
    expect(third).not.toBe(second);
    expect((await createEbankConnector(settings).client.login("anna", PASSWORD, third)).kind).toBe("session");
  });

  describe("one IBAN the bank cannot answer for", () => {
    const ibanRows = async (connectionId: string, iban: string) => {
      const rows = await t.db
        .select({ id: transactions.providerTransactionId, date: transactions.date, amount: transactions.amount })
        .from(transactions)
        .innerJoin(financialAccounts, eq(financialAccounts.id, transactions.accountId))
        .where(and(eq(financialAccounts.connectionId, connectionId), eq(financialAccounts.providerAccountId, iban), isNull(transactions.deletedAt)));
      return rows.sort((a, b) => a.id!.localeCompare(b.id!));
    };
    const runOf = async (r: { runId?: string }) => (await t.db.select().from(syncRuns).where(eq(syncRuns.id, r.runId!)))[0]!;

    it("its statements keep answering 500: the run is partial with a warning naming it, the other IBAN is imported whole; the next sync imports the missing IBAN whole — the ledger equals the bank, no duplicates", async () => {
      const { h, connectionId, sync, statements, liveCount } = await setup({ users: [ebankUser("anna", { years: 1 })] });
      const [good, bad] = [...h.emulator.ibans("anna")].sort();
      h.emulator.failAccount(bad!, "server_error");
      const r = await sync();
      expect(r).toMatchObject({ status: "success", accountWarnings: [{ providerAccountId: bad, code: "provider_unavailable" }] });
      const run = await runOf(r as { runId: string });
      expect(run).toMatchObject({ status: "partial", errorCode: "account_unavailable", errorMessage: expect.stringContaining("1 account could not be read") });
      expect(run.warnings).toEqual([expect.stringMatching(new RegExp(`\\(…${bad!.slice(-4)}\\) was not synced this time: The bank's web banking is not responding`))]);
      // Its balance read was tried a few times and left out; its statement read retried by the engine, then skipped: never read again in this run.
      const badReads = statements().filter((s) => new URLSearchParams(s.query).get("Iban") === bad);
      expect(badReads.map((s) => s.status)).toEqual(Array(BALANCE_RETRY.maxAttempts + DEFAULT_RETRY.maxAttempts).fill(500));
      // The other IBAN: its whole year, and its balance; the failed one: nothing.
      const got = await stored(t.db, connectionId);
      expect(got).toEqual(truth(h.emulator, "anna", good));
      expect(await ibanRows(connectionId, bad!)).toEqual([]);
      const accts = await t.db.select().from(financialAccounts).where(eq(financialAccounts.connectionId, connectionId));
      expect(accts.find((a) => a.providerAccountId === good)!.currentBalance).not.toBeNull();
      expect(accts.find((a) => a.providerAccountId === bad)!.currentBalance).toBeNull();
      const [conn] = await t.db.select().from(connections).where(eq(connections.id, connectionId));
      expect(conn).toMatchObject({ status: "active", lastErrorCode: "account_unavailable" });

      // The bank answers again the next day: the skipped IBAN's whole history arrives, nothing twice.
      h.emulator.clearAccountFaults();
      h.clock.advance(86_400_000);
      const next = await sync();
      expect(next).toMatchObject({ status: "success" });
      expect(next).not.toHaveProperty("accountWarnings");
      expect((await runOf(next as { runId: string })).status).toBe("success");
      const want = truth(h.emulator, "anna");
      expect(await stored(t.db, connectionId)).toEqual(want);
      expect(await liveCount()).toBe(want.size);
      const [healed] = await t.db.select().from(connections).where(eq(connections.id, connectionId));
      expect(healed).toMatchObject({ status: "active", lastErrorCode: null });
    });

    it("refused mid-history (a 404 with the bank's error body, not retried): the IBAN keeps what it had, the other one catches up; the next sync reads the whole gap", async () => {
      const { h, connectionId, sync, statements, liveCount } = await setup({ users: [ebankUser("anna", { years: 1 })] });
      expect((await sync()).status).toBe("success");
      const [bad, good] = [...h.emulator.ibans("anna")].sort();
      h.clock.advance(40 * 86_400_000); // two catch-up windows per IBAN
      const had = await ibanRows(connectionId, bad!);
      expect(had.length).toBeGreaterThan(100);
      h.emulator.failAccount(bad!, "not_found");
      const before = statements().length;
      const r = await sync();
      expect(r).toMatchObject({ status: "success", accountWarnings: [{ providerAccountId: bad, code: "invalid_request" }] });
      expect((await runOf(r as { runId: string })).status).toBe("partial");
      // A refusal is not retried: one balance read, one statement read of the failed IBAN.
      expect(statements().slice(before).filter((s) => new URLSearchParams(s.query).get("Iban") === bad).map((s) => s.status)).toEqual([404, 404]);
      expect(await ibanRows(connectionId, bad!)).toEqual(had);
      const goodRows = new Set((await ibanRows(connectionId, good!)).map((x) => x.id));
      expect([...truth(h.emulator, "anna", good).keys()].filter((k) => !goodRows.has(k))).toEqual([]);
      const [c] = await t.db.select().from(connections).where(eq(connections.id, connectionId));
      expect(JSON.parse(c!.syncCursor!)).toMatchObject({ run: null });

      h.emulator.clearAccountFaults();
      const next = await sync();
      expect(next).toMatchObject({ status: "success" });
      expect(next).not.toHaveProperty("accountWarnings");
      const want = truth(h.emulator, "anna");
      expect(want.size).toBeGreaterThan(goodRows.size + had.length); // the 40 days the failed IBAN missed
      expect(await stored(t.db, connectionId)).toEqual(want);
      expect(await liveCount()).toBe(want.size);
    });

    it("every IBAN failing is the bank failing: the run is an error, nothing imported", async () => {
      const { h, connectionId, sync } = await setup({ users: [ebankUser("anna", { years: 1 })] });
      for (const iban of h.emulator.ibans("anna")) h.emulator.failAccount(iban, "server_error");
      const r = await sync();
      expect(r).toMatchObject({ status: "error", code: "provider_unavailable" });
      expect(r).not.toHaveProperty("accountWarnings");
      expect((await runOf(r as { runId: string })).status).toBe("error");
      expect((await stored(t.db, connectionId)).size).toBe(0);
      const [conn] = await t.db.select().from(connections).where(eq(connections.id, connectionId));
      expect(conn).toMatchObject({ status: "error", lastErrorCode: "provider_unavailable" });
    });

    it("every IBAN's statements failing while the balances answer: each is skipped once, then the run is an error (no account could be read)", async () => {
      const { h, connectionId, sync, statements } = await setup({ users: [ebankUser("anna", { years: 1 })] });
      const ibans = [...h.emulator.ibans("anna")].sort();
      // The balance reads (one-day statements, one per IBAN) come first and answer; every statement after them is refused.
      let seen = 0;
      const handle = h.emulator.handle.bind(h.emulator);
      h.emulator.handle = async (req) => {
        if (new URL(req.url).pathname.endsWith("/GetCustBal") && ++seen === ibans.length) {
          const res = await handle(req);
          for (const iban of ibans) h.emulator.failAccount(iban, "not_found");
          return res;
        }
        return handle(req);
      };
      const r = await sync();
      expect(r).toMatchObject({ status: "error", code: "invalid_request", message: expect.stringContaining("No account could be read") });
      expect(statements().filter((s) => s.status === 404).map((s) => new URLSearchParams(s.query).get("Iban"))).toEqual(ibans);
      expect((await stored(t.db, connectionId)).size).toBe(0);
    });

    it("a login-wide failure during a statement read (the session ends and the bank wants a one-time code) still ends the run: reauth_required, not partial", async () => {
      const { h, connectionId, sync } = await setup({ users: [ebankUser("anna", { years: 1 })] });
      h.emulator.expireAfterRequests("anna", 5); // the account list, two balances, then during the statements
      h.emulator.failNext("require_otp", 1, "anna");
      const r = await sync();
      expect(r).toMatchObject({ status: "error", code: "reauth_required" });
      expect(r).not.toHaveProperty("accountWarnings");
      expect((await stored(t.db, connectionId)).size).toBeGreaterThan(0); // the first statement windows were committed
      const [conn] = await t.db.select().from(connections).where(eq(connections.id, connectionId));
      expect(conn).toMatchObject({ status: "reauth_required" });
    });

    it("a failed re-login during a statement read (the bank's login page answering 503) is the login's failure: retried, then the run is an error, not a skipped IBAN", async () => {
      const { h, sync, statements } = await setup({ users: [ebankUser("anna", { years: 1 })] });
      h.emulator.expireAfterRequests("anna", 4); // the account list, two balances, the first IBAN's catch-up: the second's fails
      const handle = h.emulator.handle.bind(h.emulator);
      let expired = false;
      h.emulator.handle = async (req) => {
        const path = new URL(req.url).pathname;
        if (path === "/oauth2-server/login" && expired) return new Response("<html><body>Service Unavailable</body></html>", { status: 503, headers: { "content-type": "text/html" } });
        const res = await handle(req);
        if (res.status === 401) expired = true;
        return res;
      };
      const before = statements().length;
      const r = await sync();
      expect(r).toMatchObject({ status: "error", code: "provider_unavailable", message: "The bank's web banking is not responding right now. We'll retry automatically." });
      expect(r).not.toHaveProperty("accountWarnings");
      // The run stopped at the first IBAN the re-login was needed for: no other IBAN was tried after it.
      const asked = statements().slice(before).map((s) => new URLSearchParams(s.query).get("Iban"));
      expect(asked.at(-1)).toBe([...h.emulator.ibans("anna")].sort()[1]);
    });
  });
});
