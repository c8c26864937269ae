import { randomUUID } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connections, financialAccounts, transactions } from "@/db/schema";
import type { Connector, NormalizedTransaction } from "@/lib/connectors/contract";
import { getConnector } from "@/lib/connectors/registry";
import { sealSecret } from "@/lib/crypto";
import { claimDueConnections } from "@/lib/jobs/sync-jobs";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { demoHarness, type DemoHarness } from "@/test/sync-harness";
import { syncConnection } from "./engine";
import { runDueSyncs } from "./scheduler";

/** The capabilities the engine reads: `schedule`, `rateBudget.perMinute` and `stableIds` (maxWindowDays: lib/sync/source.test.ts). */

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());
beforeEach(() => truncateAll(t));

const connectionOf = async (id: string) => (await t.db.select().from(connections).where(eq(connections.id, id)))[0]!;

/** A statement-file connection, as an import creates it (lib/statements/import.ts). */
async function fileConnection(userId: string): Promise<string> {
  const id = randomUUID();
  await t.db.insert(connections).values({ id, userId, connectorId: "file", displayName: "Statement files", providerItemId: `file:${id}`, credentials: sealSecret({}, id), status: "active" });
  return id;
}

const withCapabilities = (h: DemoHarness, caps: Partial<Connector<unknown>["capabilities"]>): Connector<unknown> => ({ ...h.connector, capabilities: { ...h.connector.capabilities, ...caps } });

describe("schedule policy", () => {
  it("every connector declares one; statement files are manual, the rest auto", () => {
    expect(getConnector("file").capabilities.schedule).toBe("manual");
    for (const id of ["demo", "plaid", "teller", "finqware", "simplefin", "ebank"] as const) expect(getConnector(id).capabilities.schedule).toBe("auto");
  });

  it("banks that cap one read's date range declare it (the e-bank 30 days, SimpleFIN 90)", () => {
    expect(getConnector("ebank").capabilities.maxWindowDays).toBe(30);
    expect(getConnector("simplefin").capabilities.maxWindowDays).toBe(90);
  });

  it("sync.due claims only the auto connection when a file and an auto one are both past due; the file one loses its next_sync_at", async () => {
    const h = await demoHarness(t.db);
    const auto = await h.link();
    const file = await fileConnection(h.userId);
    const now = new Date(h.clock.now());
    const past = new Date(now.getTime() - 3600_000);
    for (const id of [auto, file]) await t.db.update(connections).set({ nextSyncAt: past }).where(eq(connections.id, id));

    const claimed = await claimDueConnections(t.db, { now });
    expect(claimed.map((c) => c.id)).toEqual([auto]);
    expect((await connectionOf(file)).nextSyncAt).toBeNull();
    expect((await connectionOf(auto)).nextSyncAt!.getTime()).toBeGreaterThan(now.getTime());
    // Nothing left to claim: the file connection is not picked up on a later tick either.
    expect(await claimDueConnections(t.db, { now: new Date(now.getTime() + 24 * 3600_000) })).toEqual([{ id: auto, userId: h.userId }]);
  });

  it("the inline scheduler skips a due file connection too", async () => {
    const h = await demoHarness(t.db);
    const file = await fileConnection(h.userId);
    await t.db.update(connections).set({ nextSyncAt: new Date(h.clock.now() - 1000) }).where(eq(connections.id, file));
    expect(await runDueSyncs(t.db, { now: new Date(h.clock.now()) })).toEqual([]);
    expect((await connectionOf(file)).nextSyncAt).toBeNull();
    expect((await connectionOf(file)).lastAttemptAt).toBeNull();
  });

  it("after a run (the user's Refresh still works) a manual connection has no next_sync_at; an auto one does", async () => {
    const h = await demoHarness(t.db);
    const file = await fileConnection(h.userId);
    await t.db.update(connections).set({ nextSyncAt: new Date(h.clock.now() + 3600_000) }).where(eq(connections.id, file));
    const r = await syncConnection(t.db, { userId: h.userId, connectionId: file, trigger: "manual" }, { clock: h.clock });
    expect(r).toMatchObject({ status: "success" });
    const after = await connectionOf(file);
    expect(after.lastSyncedAt).not.toBeNull();
    expect(after.nextSyncAt).toBeNull();

    const auto = await h.link();
    expect((await h.sync(auto)).status).toBe("success");
    expect((await connectionOf(auto)).nextSyncAt!.getTime()).toBeGreaterThan(h.clock.now());
  });

  it("an interactive connection is refreshed when asked and never scheduled, after a success or a failure", async () => {
    const h = await demoHarness(t.db, { pageSize: 100 });
    const connector = withCapabilities(h, { schedule: "interactive" });
    const id = await h.link();
    expect((await h.sync(id, { trigger: "initial" }, { connector })).status).toBe("success");
    expect((await connectionOf(id)).nextSyncAt).toBeNull();
    expect(await h.compare(id)).toMatchObject({ missing: [], unexpected: [], different: [] });

    h.emulator.injectFault({ status: 503, code: "TEMPORARILY_UNAVAILABLE", times: 10 });
    expect(await h.sync(id, {}, { connector })).toMatchObject({ status: "error", code: "provider_unavailable" });
    const failed = await connectionOf(id);
    expect(failed.status).toBe("error");
    expect(failed.nextSyncAt).toBeNull();
    h.emulator.clearFaults();

    // The same failure on an auto connection is retried by the scheduler.
    h.emulator.injectFault({ status: 503, code: "TEMPORARILY_UNAVAILABLE", times: 10 });
    expect((await h.sync(id)).status).toBe("error");
    expect((await connectionOf(id)).nextSyncAt!.getTime()).toBeGreaterThan(h.clock.now());
  });
});

describe("requests per minute (rateBudget.perMinute), paced by the engine on its clock", () => {
  /** The demo connector, recording when (on the fake clock) each provider call starts. */
  const recorded = (h: DemoHarness, caps: Partial<Connector<unknown>["capabilities"]>) => {
    const starts: number[] = [];
    const c = withCapabilities(h, caps);
    const at = <A extends unknown[], R>(fn: (...a: A) => Promise<R>) => (...a: A) => {
      starts.push(h.clock.now());
      return fn(...a);
    };
    const connector: Connector<unknown> = {
      ...c,
      listAccounts: at(c.listAccounts),
      getBalances: at(c.getBalances),
      fetchTransactions: at(c.fetchTransactions),
      ...(c.getIdentity ? { getIdentity: at(c.getIdentity) } : {}),
    };
    return { connector, starts };
  };
  const busiestMinute = (starts: number[]) => Math.max(...starts.map((s) => starts.filter((x) => x >= s && x < s + 60_000).length));

  it("a 3-per-minute provider: no minute holds more than 3 calls, the run sleeps instead, and the import is exact", async () => {
    const h = await demoHarness(t.db, { pageSize: 40 });
    const id = await h.link();
    const { connector, starts } = recorded(h, { rateBudget: { perMinute: 3 } });
    const started = h.clock.now();
    const r = await h.sync(id, { trigger: "initial" }, { connector });
    expect(r).toMatchObject({ status: "success" });
    if (r.status !== "success") throw new Error();
    expect(starts.length).toBeGreaterThanOrEqual(r.pages + 2); // accounts, balances, every page
    expect(starts.length).toBeGreaterThan(6);
    expect(busiestMinute(starts)).toBe(3);
    // Calls take no fake time, so the engine slept a whole minute after every third call.
    expect(h.clock.slept).toEqual(Array(Math.ceil(starts.length / 3) - 1).fill(60_000));
    expect(h.clock.now() - started).toBe(h.clock.slept.reduce((a, b) => a + b, 0));
    expect(await h.compare(id)).toMatchObject({ missing: [], unexpected: [], different: [] });
  });

  it("retries count as calls; without perMinute the same run never sleeps", async () => {
    const h = await demoHarness(t.db, { pageSize: 40 });
    const id = await h.link();
    const open = recorded(h, { rateBudget: null });
    expect((await h.sync(id, { trigger: "initial" }, { connector: open.connector })).status).toBe("success");
    expect(open.starts.length).toBeGreaterThan(6);
    expect(h.clock.slept).toEqual([]);

    const h2 = await demoHarness(t.db, { pageSize: 40 });
    const id2 = await h2.link();
    const paced = recorded(h2, { rateBudget: { perMinute: 2 } });
    h2.emulator.injectFault({ status: 503, code: "TEMPORARILY_UNAVAILABLE", times: 2 });
    expect((await h2.sync(id2, { trigger: "initial" }, { connector: paced.connector })).status).toBe("success");
    expect(busiestMinute(paced.starts)).toBeLessThanOrEqual(2);
    expect(h2.clock.slept.filter((ms) => ms < 60_000).length).toBeGreaterThan(0); // the retry backoff, also on the clock
  });
});

describe("id strategy", () => {
  it("a provider whose ids change on every read (stableIds: false): re-syncs find the stored rows, identical rows both stay, a vanished one is removed", async () => {
    const h = await demoHarness(t.db);
    const id = await h.link();
    // The bank's January, read afresh (new ids) on every refresh: the same coffee twice, rent.
    let rows: Omit<NormalizedTransaction, "providerTransactionId">[] = [
      { providerAccountId: "u-1", pending: false, date: "2026-01-05", amount: "-3.50", currency: "EUR", description: "Coffee Corner", raw: {} },
      { providerAccountId: "u-1", pending: false, date: "2026-01-05", amount: "-3.5", currency: "EUR", description: "COFFEE  CORNER", raw: {} },
      { providerAccountId: "u-1", pending: false, date: "2026-01-06", amount: "-900.00", currency: "EUR", description: "Rent", raw: {} },
    ];
    const unstable: Connector<unknown> = {
      ...h.connector,
      capabilities: { ...h.connector.capabilities, syncModel: "window", stableIds: false },
      openSession: undefined,
      listAccounts: async () => [{ providerAccountId: "u-1", name: "Unstable checking", type: "depository", currency: "EUR" }],
      getBalances: async () => [],
      fetchTransactions: async () => ({
        added: rows.map((r) => ({ ...r, providerTransactionId: randomUUID() })),
        modified: [],
        removed: [],
        nextCursor: null,
        hasMore: false,
        window: { providerAccountId: "u-1", from: "2026-01-01", to: "2026-01-31" },
      }),
    };
    const live = async () => {
      const [acct] = await t.db.select({ id: financialAccounts.id }).from(financialAccounts).where(and(eq(financialAccounts.connectionId, id), eq(financialAccounts.providerAccountId, "u-1")));
      return (await t.db.select({ amount: transactions.amount }).from(transactions).where(and(eq(transactions.accountId, acct!.id), isNull(transactions.deletedAt)))).map((r) => r.amount).sort();
    };
    const diff = (r: Awaited<ReturnType<typeof h.sync>>) => (r.status === "success" ? [r.diff.added, r.diff.modified, r.diff.removed] : r);

    expect(diff(await h.sync(id, { trigger: "initial" }, { connector: unstable }))).toEqual([3, 0, 0]);
    expect(await live()).toEqual(["-3.5000", "-3.5000", "-900.0000"]);
    expect(diff(await h.sync(id, { trigger: "manual" }, { connector: unstable }))).toEqual([0, 0, 0]);
    expect(await live()).toEqual(["-3.5000", "-3.5000", "-900.0000"]);
    rows = rows.slice(1); // one coffee was a duplicate the bank took back
    expect(diff(await h.sync(id, { trigger: "manual" }, { connector: unstable }))).toEqual([0, 0, 1]);
    expect(await live()).toEqual(["-3.5000", "-900.0000"]);
  });
});
