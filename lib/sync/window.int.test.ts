import { and, eq, isNull, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connections, financialAccounts, transactions, users } from "@/db/schema";
import type { Connector, FetchTransactionsInput } from "@/lib/connectors/contract";
import type { TellerCredentials } from "@/lib/connectors/teller/connector";
import { linkConnection } from "@/lib/connections/service";
import { openSecret } from "@/lib/crypto";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { fakeClock } from "@/test/sync-harness";
import { tellerHarness } from "@/test/teller-harness";
import { applyTransactionPage, emptyDiff } from "./apply";
import { syncConnection } from "./engine";
import { addDays, latestDay } from "./window";

/**
 * Bounded windows: a window page only removes stored rows dated inside its [from, to],
 * so a source read in chunks (a bank's 30-day limit, monthly statements, a partial
 * re-sync) never loses a row between pages and reports nothing for unchanged data.
 */
let t: TestDatabase;
let userId: string;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());
beforeEach(async () => {
  await truncateAll(t);
  const [u] = await t.db.insert(users).values({ email: "w@example.com", passwordHash: "x" }).returning({ id: users.id });
  userId = u!.id;
});

const liveCount = async (connectionId: string) =>
  Number(
    (
      await t.db
        .select({ n: sql<number>`count(*)` })
        .from(transactions)
        .innerJoin(financialAccounts, eq(financialAccounts.id, transactions.accountId))
        .where(and(eq(financialAccounts.connectionId, connectionId), isNull(transactions.deletedAt)))
    )[0]!.n,
  );
const liveIds = async (connectionId: string) =>
  (
    await t.db
      .select({ id: transactions.providerTransactionId })
      .from(transactions)
      .innerJoin(financialAccounts, eq(financialAccounts.id, transactions.accountId))
      .where(and(eq(financialAccounts.connectionId, connectionId), isNull(transactions.deletedAt)))
  )
    .map((r) => r.id)
    .sort();
const creds = async (connectionId: string) => {
  const [c] = await t.db.select().from(connections).where(eq(connections.id, connectionId));
  return openSecret<TellerCredentials>(c!.credentials, c!.id);
};

describe("bounded windows", () => {
  it("re-syncing unchanged data as two 30-day chunks reports 0 modified / 0 removed, and the range reaches the provider", async () => {
    const h = await tellerHarness({ pageSize: 20, historyDays: 60 });
    const deps = { connector: h.connector, clock: fakeClock() };
    const { connectionId } = await linkConnection(t.db, { userId, connectorId: "teller", payload: h.enroll() }, deps);
    const first = await syncConnection(t.db, { userId, connectionId, trigger: "initial" }, deps);
    expect(first.status).toBe("success");
    const truth = [...(await h.groundTruth(await creds(connectionId))).keys()].sort();
    expect(await liveIds(connectionId)).toEqual(truth);
    const dates = [...(await h.groundTruth(await creds(connectionId))).values()].map((v) => v.date).sort();
    const newest = dates[dates.length - 1]!;
    const chunks = [
      { from: addDays(newest, -59), to: addDays(newest, -30) },
      { from: addDays(newest, -29), to: newest },
    ];
    for (const range of chunks) {
      h.emulator.requestLog.length = 0;
      const r = await syncConnection(t.db, { userId, connectionId, trigger: "manual", dateRange: range }, deps);
      expect(r).toMatchObject({ status: "success", diff: { added: 0, modified: 0, removed: 0 } });
      expect(await liveIds(connectionId)).toEqual(truth);
      // The provider was asked for that range only (no download-all-then-filter).
      const reads = h.emulator.requestLog.filter((l) => /\/transactions\?/.test(l));
      expect(reads.length).toBeGreaterThan(0);
      for (const l of reads) expect(l).toContain(`start_date=${range.from}&end_date=${range.to}`);
    }
    await h.close();
  });

  it("a source limited to 30-day windows imports in chunks; a full re-read never has a row missing between pages", async () => {
    const h = await tellerHarness({ pageSize: 20, historyDays: 75 });
    const inner = (await import("@/lib/connectors/teller/connector")).createTellerConnector({
      mode: "emulator",
      applicationId: h.connector.applicationId,
      pageSize: 20,
      maxWindowDays: 30,
      maxHistoryDays: 120,
      settings: async () => ({ baseUrl: h.running.url, tls: { cert: h.running.pki.clientCert, key: h.running.pki.clientKey, ca: h.running.pki.caCert } }),
      webhookSecrets: async () => h.emulator.webhookSecrets,
      ...h.signing,
    });
    let connectionId = "";
    const between: number[] = [];
    const windows: { from: string; to: string }[] = [];
    // Counts live rows before each page is fetched, i.e. after the previous page committed.
    const connector = {
      ...inner,
      fetchTransactions: async (c: TellerCredentials, input: FetchTransactionsInput) => {
        if (connectionId) between.push(await liveCount(connectionId));
        const page = await inner.fetchTransactions(c, input);
        if (page.window) windows.push({ from: page.window.from, to: page.window.to });
        return page;
      },
    } as Connector<unknown>;
    const deps = { connector, clock: fakeClock() };
    connectionId = (await linkConnection(t.db, { userId, connectorId: "teller", payload: h.enroll() }, deps)).connectionId;
    const first = await syncConnection(t.db, { userId, connectionId, trigger: "initial" }, deps);
    expect(first.status).toBe("success");
    const truth = [...(await h.groundTruth(await creds(connectionId))).keys()].sort();
    expect(await liveIds(connectionId)).toEqual(truth);
    // 120 days in 30-day windows: 4 windows per open account, each bounded and at most 30 days long.
    expect(windows.length % 4).toBe(0);
    for (const w of windows) expect((Date.parse(w.to) - Date.parse(w.from)) / 86_400_000).toBeLessThanOrEqual(29);
    expect(windows.at(-1)!.to).toBe(latestDay(Date.now()));

    // Lose the cursor: the whole history is re-read in 30-day windows.
    await t.db.update(connections).set({ syncCursor: null }).where(eq(connections.id, connectionId));
    between.length = 0;
    const again = await syncConnection(t.db, { userId, connectionId, trigger: "manual" }, deps);
    expect(again).toMatchObject({ status: "success", diff: { added: 0, modified: 0, removed: 0 } });
    expect(between.length).toBeGreaterThan(4);
    for (const n of between) expect(n).toBe(truth.length);
    await h.close();
  });

  it("a window removes only stored rows inside [from, to] that the page lacks", async () => {
    const h = await tellerHarness({ pageSize: 50, historyDays: 40 });
    const deps = { connector: h.connector, clock: fakeClock() };
    const { connectionId } = await linkConnection(t.db, { userId, connectorId: "teller", payload: h.enroll() }, deps);
    await syncConnection(t.db, { userId, connectionId, trigger: "initial" }, deps);
    // The account with the most transactions.
    const accts = await t.db.select().from(financialAccounts).where(eq(financialAccounts.connectionId, connectionId));
    const all = await t.db.select().from(transactions);
    const acct = accts.map((a) => ({ a, n: all.filter((r) => r.accountId === a.id).length })).sort((x, y) => y.n - x.n)[0]!.a;
    const rows = all.filter((r) => r.accountId === acct.id);
    const dates = [...new Set(rows.map((r) => r.date))].sort();
    expect(dates.length).toBeGreaterThan(10);
    const from = dates[3]!;
    const to = dates[dates.length - 4]!;
    const inside = rows.filter((r) => r.date >= from && r.date <= to);
    const kept = inside[0]!; // the page still has this one
    const diff = emptyDiff();
    const page = {
      added: [{ providerTransactionId: kept.providerTransactionId, providerAccountId: acct.providerAccountId, pending: kept.pending, date: kept.date, amount: kept.amount, currency: kept.currency, description: kept.description, raw: kept.raw }],
      modified: [],
      removed: [],
      nextCursor: null,
      hasMore: false,
      window: { providerAccountId: acct.providerAccountId, from, to },
    };
    await applyTransactionPage(t.db, { userId, accountIdByProvider: new Map([[acct.providerAccountId, acct.id]]), now: new Date() }, page, diff);
    const after = await t.db.select().from(transactions).where(eq(transactions.accountId, acct.id));
    for (const r of after) {
      const shouldBeGone = r.date >= from && r.date <= to && r.providerTransactionId !== kept.providerTransactionId;
      expect({ id: r.providerTransactionId, date: r.date, gone: r.deletedAt !== null }).toEqual({ id: r.providerTransactionId, date: r.date, gone: shouldBeGone });
    }
    expect(diff.removed).toBe(inside.length - 1);
    expect(rows.length - inside.length).toBeGreaterThan(0); // rows outside the window existed and were kept
    await h.close();
  });
});
