import { and, eq, isNull, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connections, financialAccounts, simplefinUsage, transactions, users } from "@/db/schema";
import { linkConnection, reconnectConnection } from "@/lib/connections/service";
import { openSecret } from "@/lib/crypto";
import { syncConnection } from "@/lib/sync/engine";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { SF_DAILY_QUOTA, SimplefinEmulator } from "@/emulators/simplefin/server";
import { describeConformance, stored, type Truth } from "../conformance";
import type { Connector } from "../contract";
import { ConnectorError } from "../errors";
import { TOKEN_MALFORMED, TOKEN_REFUSED } from "./client";
import type { SimplefinCredentials } from "./connector";
import { simplefinHarness } from "@/test/simplefin-harness";
import { simplefinInfo, utcDay } from "./state";
import { epochDay } from "./normalize";
import { addDays } from "@/lib/dates";

const truthOf = (emulator: SimplefinEmulator, accessUrl: string): Truth =>
  new Map(emulator.liveTransactions(SimplefinEmulator.userOf(accessUrl)).map((t) => [t.id, { amount: t.amount, pending: t.pending, date: t.date }]));

// The conformance suite (its own database) with the budget kept in a second test database.
let budgetDb: TestDatabase | undefined;
afterAll(async () => budgetDb?.close());
const getBudgetDb = async () => (budgetDb ??= await createTestDatabase()).db;

describeConformance("simplefin (setup token → local SimpleFIN Bridge)", async () => {
  const h = simplefinHarness(getBudgetDb);
  return {
    connector: h.connector as Connector<unknown>,
    clock: h.clock,
    linkPayload: async () => ({ setupToken: h.emulator.issueSetupToken() }),
    secretsOf: (c) => {
      const u = new URL((c as SimplefinCredentials).accessUrl);
      return [(c as SimplefinCredentials).accessUrl, u.password];
    },
    // A few minutes of bank activity; a scheduled refresh every 6 hours.
    advance: async (c) => {
      h.emulator.advance(SimplefinEmulator.userOf((c as SimplefinCredentials).accessUrl), 3);
      h.clock.advance(6 * 3600_000);
    },
    groundTruth: async (c) => truthOf(h.emulator, (c as SimplefinCredentials).accessUrl),
    failNext: (code) => h.emulator.failNext(code === "reauth_required" ? 403 : code === "rate_limited" ? 429 : 500),
  };
});

describe("SimpleFIN: link, budget, windows, bridge errors", () => {
  let t: TestDatabase;
  let userId: string;
  let h: ReturnType<typeof simplefinHarness>;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await truncateAll(t);
    h = simplefinHarness(async () => t.db);
    const [u] = await t.db.insert(users).values({ email: "sf@example.com", passwordHash: "x" }).returning({ id: users.id });
    userId = u!.id;
  });
  const link = async (token = h.emulator.issueSetupToken()) => (await linkConnection(t.db, { userId, connectorId: "simplefin", payload: { setupToken: token } }, { connector: h.connector as Connector<unknown> })).connectionId;
  const sync = (connectionId: string) => syncConnection(t.db, { userId, connectionId, trigger: "manual" }, { connector: h.connector as Connector<unknown>, clock: h.clock });
  const accessOf = async (id: string) => {
    const [c] = await t.db.select().from(connections).where(eq(connections.id, id));
    return openSecret<SimplefinCredentials>(c!.credentials, c!.id).accessUrl;
  };

  it("a setup token is claimed once; the second use is refused with the compromise warning and links nothing", async () => {
    const token = h.emulator.issueSetupToken();
    await link(token);
    const err = await link(token).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).message).toBe(TOKEN_REFUSED);
    expect(await t.db.select().from(connections)).toHaveLength(1);
  });

  it("a malformed token gets a clear message and sends no request", async () => {
    for (const bad of ["not a token at all", Buffer.from("http://bridge.simplefin.local/simplefin/claim/x").toString("base64"), ""]) {
      const err = await link(bad).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectorError);
      expect((err as ConnectorError).message).toMatch(bad ? TOKEN_MALFORMED : /Paste your SimpleFIN setup token/);
    }
    expect(h.requestsSent()).toBe(0);
    expect(await t.db.select().from(connections)).toHaveLength(0);
  });

  it("first import walks history in ≤90-day windows, newest first, until empty — and equals the bridge's full ledger", async () => {
    const id = await link();
    const r = await sync(id);
    expect(r.status).toBe("success");
    const access = await accessOf(id);
    const windows = h.emulator.requestLog(SimplefinEmulator.userOf(access)).map((l) => {
      const q = new URLSearchParams(l.query);
      return { start: Number(q.get("start-date")), end: Number(q.get("end-date")), pending: q.get("pending") };
    });
    expect(windows.length).toBeGreaterThanOrEqual(5);
    for (const w of windows) expect(w.end - w.start).toBeLessThanOrEqual(90 * 86_400);
    expect(windows[0]!.pending).toBe("1"); // the recent window asks for pending rows
    for (let i = 2; i < windows.length; i++) expect(windows[i]!.end).toBe(windows[i - 1]!.start); // contiguous, newest first
    expect(windows.at(-1)!.end).toBeLessThan(Date.UTC(2026, 10, 21) / 1000 - 400 * 86_400); // stopped after the first empty window
    const truth = truthOf(h.emulator, access);
    const got = await stored(t.db, id);
    expect(got.size).toBe(truth.size);
    expect([...truth].filter(([k, v]) => JSON.stringify(got.get(k)) !== JSON.stringify(v))).toEqual([]);
    // Balances as sent: the loan is already negative, the brokerage balance is its holdings' value.
    const accts = await t.db.select({ name: financialAccounts.name, type: financialAccounts.type }).from(financialAccounts).where(eq(financialAccounts.connectionId, id));
    expect(accts.map((a) => `${a.name}:${a.type}`).sort()).toEqual(["Auto Loan:loan", "Everyday Checking:depository", "High-Yield Savings:depository", "Individual Brokerage:investment", "Rewards Visa:credit"]);
    const info = (await simplefinInfo(t.db, userId, h.clock.now())).get(id)!;
    expect(info.holdings.map((x) => x.symbol)).toEqual(["VTI", "BND"]);
    expect(info.requestsToday).toBe(windows.length);
  });

  it("after a long gap an incremental refresh re-reads from the last refresh minus the overlap, in ≤90-day windows", async () => {
    const id = await link();
    await sync(id);
    const user = SimplefinEmulator.userOf(await accessOf(id));
    const firstRun = h.emulator.requestLog(user).length;
    h.emulator.advance(user, 20);
    h.clock.advance(100 * 86_400_000);
    expect((await sync(id)).status).toBe("success");
    const windows = h.emulator.requestLog(user).slice(firstRun).map((l) => {
      const q = new URLSearchParams(l.query);
      return { start: Number(q.get("start-date")), end: Number(q.get("end-date")) };
    });
    // listAccounts' recent window, then the gap back to (previous refresh day − 14 days) in 90-day steps.
    expect(windows).toHaveLength(3);
    for (const w of windows) expect(w.end - w.start).toBeLessThanOrEqual(90 * 86_400);
    expect(Math.min(...windows.map((w) => w.start))).toBe(Date.UTC(2026, 10, 21) / 1000 - 14 * 86_400);
    expect(await stored(t.db, id)).toEqual(truthOf(h.emulator, await accessOf(id)));
  });

  it("the 25th request of a day is never sent; the refresh says when the next one is possible; the next day works", async () => {
    const id = await link();
    const user = SimplefinEmulator.userOf(await accessOf(id));
    const day = utcDay(h.clock.now());
    let last: Awaited<ReturnType<typeof sync>> | undefined;
    for (let i = 0; i < 30; i++) {
      last = await sync(id);
      if (last.status === "error") break;
    }
    if (last?.status !== "error") throw new Error(`expected the budget to run out, got ${JSON.stringify(last)}`);
    expect(last.code).toBe("rate_limited");
    expect(last.message).toContain("this refresh needs 1 and 0 remain today. The refresh was not started; next possible at 00:00 (UTC 2026-11-22)");
    expect(h.emulator.requestsOn(user, day)).toBe(SF_DAILY_QUOTA);
    await sync(id);
    await sync(id);
    expect(h.emulator.requestsOn(user, day)).toBe(SF_DAILY_QUOTA);
    expect(h.emulator.isDisabled(user)).toBe(false);
    const [c] = await t.db.select().from(connections).where(eq(connections.id, id));
    expect(c!.retryAt?.toISOString()).toBe("2026-11-22T00:00:00.000Z");
    const [u] = await t.db.select().from(simplefinUsage).where(eq(simplefinUsage.day, day));
    expect(u!.requests).toBe(SF_DAILY_QUOTA);
    // The reservation is the last guard (another process may spend the budget after a run was planned): still nothing sent.
    const sent = h.requestsSent();
    const err = await h.connector.listAccounts({ accessUrl: await accessOf(id) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "rate_limited", message: expect.stringContaining("next possible at 00:00 (UTC 2026-11-22)") });
    expect(h.requestsSent()).toBe(sent);

    h.clock.set(Date.UTC(2026, 10, 22, 0, 5));
    expect((await sync(id)).status).toBe("success");
    expect(h.emulator.requestsOn(user, "2026-11-22")).toBe(1);
  });

  it("per-account errors become warnings: the other accounts sync, the failed account's rows are kept", async () => {
    const id = await link();
    await sync(id);
    const user = SimplefinEmulator.userOf(await accessOf(id));
    const card = "ACT-sf-cc";
    const count = async (acct: string) => {
      const [r] = await t.db
        .select({ n: sql<number>`count(*)::int` })
        .from(transactions)
        .innerJoin(financialAccounts, eq(financialAccounts.id, transactions.accountId))
        .where(and(eq(financialAccounts.connectionId, id), eq(financialAccounts.providerAccountId, acct), isNull(transactions.deletedAt)));
      return r!.n;
    };
    const cardBefore = await count(card);
    expect(cardBefore).toBeGreaterThan(0);
    h.emulator.setAccountError(user, card, "We could not reach <i>Rewards Visa</i> — try again later");
    h.emulator.advance(user, 30);
    h.clock.advance(6 * 3600_000);
    const r = await sync(id);
    expect(r.status).toBe("success");
    expect(await count(card)).toBe(cardBefore);
    const truth = truthOf(h.emulator, await accessOf(id));
    const got = await stored(t.db, id);
    const accountOf = new Map(h.emulator.liveTransactions(user).map((x) => [x.id, x.accountId]));
    const others = [...truth.keys()].filter((k) => accountOf.get(k) !== card);
    expect(others.length).toBeGreaterThan(100);
    for (const k of others) expect(got.get(k)).toEqual(truth.get(k));
    const info = (await simplefinInfo(t.db, userId, h.clock.now())).get(id)!;
    expect(info.accountWarnings).toEqual([{ providerAccountId: card, code: "act.failed", message: "We could not reach Rewards Visa — try again later" }]);
    const [c] = await t.db.select().from(connections).where(eq(connections.id, id));
    expect(c!.status).toBe("active");
  });

  it("speaks v1 too: `errors` strings are shown on the connection, the import is the same", async () => {
    h = simplefinHarness(async () => t.db, { version: 1 });
    const id = await link();
    h.emulator.setConnectionError(SimplefinEmulator.userOf(await accessOf(id)), "Connection to First Platypus Bank may need attention");
    expect((await sync(id)).status).toBe("success");
    expect(await stored(t.db, id)).toEqual(truthOf(h.emulator, await accessOf(id)));
    expect((await simplefinInfo(t.db, userId, h.clock.now())).get(id)!.messages).toEqual(["Connection to First Platypus Bank may need attention"]);
  });

  it("402 → payment required at the bridge (waits for the user); 403 → reconnect", async () => {
    const id = await link();
    expect((await sync(id)).status).toBe("success");
    h.emulator.failNext(402);
    const r = await sync(id);
    expect(r.status === "error" && r.message).toContain("Payment required at your SimpleFIN Bridge");
    let [c] = await t.db.select().from(connections).where(eq(connections.id, id));
    expect(c!.status).toBe("reauth_required");
    h.emulator.failNext(403);
    await t.db.update(connections).set({ status: "active" }).where(eq(connections.id, id));
    const r2 = await sync(id);
    expect(r2.status === "error" && r2.code).toBe("reauth_required");
    [c] = await t.db.select().from(connections).where(eq(connections.id, id));
    expect(c!.lastErrorMessage).toContain("Reconnect");

    // Reconnect with a new setup token: same connection and accounts, the new access stored encrypted.
    const before = await t.db.select({ id: financialAccounts.id }).from(financialAccounts).where(eq(financialAccounts.connectionId, id));
    const oldAccess = await accessOf(id);
    await reconnectConnection(t.db, { userId, connectionId: id, payload: { setupToken: h.emulator.issueSetupToken() } }, { connector: h.connector as Connector<unknown> });
    expect(await accessOf(id)).not.toBe(oldAccess);
    expect((await sync(id)).status).toBe("success");
    const after = await t.db.select({ id: financialAccounts.id }).from(financialAccounts).where(eq(financialAccounts.connectionId, id));
    expect(after.map((a) => a.id).sort()).toEqual(before.map((a) => a.id).sort());
    expect(await t.db.select().from(connections)).toHaveLength(1);
    expect(await stored(t.db, id)).toEqual(truthOf(h.emulator, await accessOf(id)));
  });

  it("a partial run's date range is what the bridge is asked for (≤90-day windows inside it, none beyond the run's recent read) and nothing outside it changes", async () => {
    const id = await link();
    expect((await sync(id)).status).toBe("success");
    const user = SimplefinEmulator.userOf(await accessOf(id));
    // The bank moves on (new rows, settled pendings: all recent, outside the range below).
    h.emulator.advance(user, 5);
    h.clock.advance(3 * 3600_000);
    const before = await stored(t.db, id);
    const truthNow = truthOf(h.emulator, await accessOf(id));
    const today = utcDay(h.clock.now());
    const from = addDays(today, -200);
    const to = addDays(today, -100);
    const outside = (m: Truth) => new Map([...m].filter(([, v]) => v.date < from || v.date > to));
    expect(outside(truthNow)).not.toEqual(outside(before)); // the bank did change outside the range
    const sent = h.emulator.requestLog(user).length;
    // planned before the run (the budget gate), from stored state only: exactly what the run asks
    const plan = await h.connector.planRequests!({ accessUrl: await accessOf(id) }, { cursor: null, dateRange: { from, to } });
    expect(h.emulator.requestLog(user).length).toBe(sent);
    const r = await syncConnection(t.db, { userId, connectionId: id, trigger: "manual", dateRange: { from, to } }, { connector: h.connector as Connector<unknown>, clock: h.clock });
    expect(r.status).toBe("success");
    const asked = h.emulator.requestLog(user).slice(sent).map((l) => {
      const q = new URLSearchParams(l.query);
      return [epochDay(Number(q.get("start-date"))), epochDay(Number(q.get("end-date")) - 1)];
    });
    // The run's accounts and balances (the recent window), then the range newest first in ≤ 90-day windows.
    expect(asked).toEqual([
      [addDays(today, -30), today],
      [addDays(to, -89), to],
      [from, addDays(to, -90)],
    ]);
    expect(plan.required).toBe(asked.length);
    expect(r.status === "success" && [r.diff.added, r.diff.modified, r.diff.removed]).toEqual([0, 0, 0]);
    const after = await stored(t.db, id);
    expect(outside(after)).toEqual(outside(before)); // nothing outside the range added, changed or removed
    expect(new Map([...after].filter(([, v]) => v.date >= from && v.date <= to))).toEqual(new Map([...truthNow].filter(([, v]) => v.date >= from && v.date <= to)));

    // A range inside the run's recent read costs no further request.
    const sent2 = h.emulator.requestLog(user).length;
    const inRecent = { from: addDays(today, -20), to: addDays(today, -10) };
    expect((await syncConnection(t.db, { userId, connectionId: id, trigger: "manual", dateRange: inRecent }, { connector: h.connector as Connector<unknown>, clock: h.clock })).status).toBe("success");
    expect(h.emulator.requestLog(user).length - sent2).toBe(1);
    expect((await h.connector.planRequests!({ accessUrl: await accessOf(id) }, { cursor: null, dateRange: inRecent })).required).toBe(1);

    // The whole history as a partial run (41 windows of 90 days, plus the recent read) cannot fit in
    // a day's 24 requests: refused before the first request, saying so, nothing changed.
    const sent3 = h.emulator.requestLog(user).length;
    const all = await syncConnection(t.db, { userId, connectionId: id, trigger: "manual", dateRange: { to: today } }, { connector: h.connector as Connector<unknown>, clock: h.clock });
    expect(all).toMatchObject({ status: "error", code: "rate_limited", message: expect.stringMatching(/needs 42 and \d+ remain today/) });
    expect(h.emulator.requestLog(user).length).toBe(sent3);
    expect(await stored(t.db, id)).toEqual(after);
  });

  it("a range read older than the recent window removes nothing: a bridge that no longer serves that past does not erase the stored history", async () => {
    const id = await link();
    expect((await sync(id)).status).toBe("success");
    const user = SimplefinEmulator.userOf(await accessOf(id));
    const before = await stored(t.db, id);
    const today = utcDay(h.clock.now());
    const range = { from: addDays(today, -200), to: addDays(today, -100) };
    const inRange = (m: Truth) => new Map([...m].filter(([, v]) => v.date >= range.from && v.date <= range.to));
    expect(inRange(before).size).toBeGreaterThan(0);
    h.emulator.serveOnlyLast(user, 60);
    const r = await syncConnection(t.db, { userId, connectionId: id, trigger: "manual", dateRange: range }, { connector: h.connector as Connector<unknown>, clock: h.clock });
    expect(r.status === "success" && [r.diff.added, r.diff.modified, r.diff.removed]).toEqual([0, 0, 0]);
    expect(await stored(t.db, id)).toEqual(before);
    h.emulator.serveOnlyLast(user, null);
  });

  it("a re-sync of unchanged data read again in 90-day chunks changes nothing: 0 added, 0 modified, 0 removed", async () => {
    const id = await link();
    expect((await sync(id)).status).toBe("success");
    const user = SimplefinEmulator.userOf(await accessOf(id));
    const first = h.emulator.requestLog(user).length;
    await t.db.update(connections).set({ syncCursor: null }).where(eq(connections.id, id));
    const r = await sync(id);
    expect(r.status).toBe("success");
    expect(h.emulator.requestLog(user).length - first).toBe(first); // the whole walk again
    expect(r.status === "success" && [r.diff.added, r.diff.modified, r.diff.removed]).toEqual([0, 0, 0]);
    expect(await stored(t.db, id)).toEqual(truthOf(h.emulator, await accessOf(id)));
  });

  it("cursors stored before the shared window adapter are migrated: a finished import refreshes with one request, a backfill under way continues where it stopped", async () => {
    // A finished import, stored as the old code wrote it.
    const id = await link();
    expect((await sync(id)).status).toBe("success");
    const user = SimplefinEmulator.userOf(await accessOf(id));
    await t.db.update(connections).set({ syncCursor: JSON.stringify({ p: "recent", i: 0, since: h.clock.now(), back: null }) }).where(eq(connections.id, id));
    h.clock.advance(2 * 3600_000);
    let sent = h.emulator.requestLog(user).length;
    let r = await sync(id);
    expect(r.status === "success" && [r.diff.added, r.diff.modified, r.diff.removed]).toEqual([0, 0, 0]);
    expect(h.emulator.requestLog(user).length - sent).toBe(1);
    expect(JSON.parse((await t.db.select().from(connections).where(eq(connections.id, id)))[0]!.syncCursor!)).toMatchObject({ v: 1, accounts: { "*": { done: true } } });

    // A long history whose backfill stopped at the day's budget, its cursor rewritten in the old form.
    h = simplefinHarness(async () => t.db, { historyDays: 2400 });
    await truncateAll(t);
    const [u] = await t.db.insert(users).values({ email: "sf2@example.com", passwordHash: "x" }).returning({ id: users.id });
    userId = u!.id;
    const id2 = await link();
    const user2 = SimplefinEmulator.userOf(await accessOf(id2));
    expect((await sync(id2)).status).toBe("success");
    const cur = JSON.parse((await t.db.select().from(connections).where(eq(connections.id, id2)))[0]!.syncCursor!) as { accounts: Record<string, { head: string; back: string; done: boolean }> };
    const lane = cur.accounts["*"]!;
    expect(lane.done).toBe(false);
    const old = { p: "back", i: 0, since: h.clock.now(), back: Date.parse(`${lane.back}T00:00:00Z`) / 1000 };
    await t.db.update(connections).set({ syncCursor: JSON.stringify(old) }).where(eq(connections.id, id2));
    const partial = await stored(t.db, id2);
    h.clock.set(Date.UTC(2026, 10, 22, 0, 1));
    sent = h.emulator.requestLog(user2).length;
    r = await sync(id2);
    expect(r.status).toBe("success");
    const asked = h.emulator.requestLog(user2).slice(sent).map((l) => epochDay(Number(new URLSearchParams(l.query).get("end-date")) - 1));
    expect(asked).toHaveLength(1 + 7); // the recent window, the 6 remaining older windows, the empty one
    expect(asked[1]).toBe(addDays(lane.back, -1)); // the walk resumes right before where it stood
    const truth = truthOf(h.emulator, await accessOf(id2));
    expect(r.status === "success" && [r.diff.added, r.diff.modified, r.diff.removed]).toEqual([truth.size - partial.size, 0, 0]);
    expect(await stored(t.db, id2)).toEqual(truth);
  });

  it("the bridge status is only ever shown to the connection's owner and holds no secret", async () => {
    const id = await link();
    await sync(id);
    const [other] = await t.db.insert(users).values({ email: "other@example.com", passwordHash: "x" }).returning({ id: users.id });
    expect((await simplefinInfo(t.db, other!.id, h.clock.now())).size).toBe(0);
    const mine = (await simplefinInfo(t.db, userId, h.clock.now())).get(id)!;
    const access = await accessOf(id);
    expect(JSON.stringify({ ...mine, accountNames: [...mine.accountNames] })).not.toContain(new URL(access).password);
    const dump = JSON.stringify(await t.db.execute(sql`select * from simplefin_status, simplefin_usage`));
    expect(dump).not.toContain(new URL(access).password);
  });
});
