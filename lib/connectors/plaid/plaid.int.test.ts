import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connections, financialAccounts, users } from "@/db/schema";
import { linkConnection, reconnectConnection } from "@/lib/connections/service";
import { openSecret } from "@/lib/crypto";
import { syncConnection } from "@/lib/sync/engine";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { plaidHarness } from "@/test/plaid-harness";
import { fakeClock } from "@/test/sync-harness";
import { describeConformance, stored } from "../conformance";
import type { PlaidCredentials } from "./connector";

describeConformance("plaid (official SDK → local Plaid over HTTP)", async () => {
  const h = await plaidHarness({ pageSize: 200 });
  const clock = fakeClock();
  return {
    connector: h.connector,
    clock,
    linkPayload: () => h.linkPayload(),
    secretsOf: (c) => [(c as PlaidCredentials).accessToken],
    advance: async (c) => h.emulator.advance((c as PlaidCredentials).accessToken, 3),
    groundTruth: h.groundTruth,
    failNext: (code) => h.emulator.failNext(code === "reauth_required" ? "ITEM_LOGIN_REQUIRED" : code === "rate_limited" ? "ACCOUNTS_LIMIT" : "INTERNAL_SERVER_ERROR"),
  };
});

describe("plaid specifics", () => {
  let t: TestDatabase;
  let userId: string;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await truncateAll(t);
    const [u] = await t.db.insert(users).values({ email: "p@example.com", passwordHash: "x" }).returning({ id: users.id });
    userId = u!.id;
  });

  const live = (connectionId: string) => stored(t.db, connectionId);

  it("restarts the whole update from its first cursor when data changes mid-pagination", async () => {
    const h = await plaidHarness({ pageSize: 60 });
    const clock = fakeClock();
    const deps = { connector: h.connector, clock };
    const { connectionId } = await linkConnection(t.db, { userId, connectorId: "plaid", payload: await h.linkPayload() }, deps);
    expect((await syncConnection(t.db, { userId, connectionId, trigger: "initial" }, deps)).status).toBe("success");
    h.emulator.advance((await creds(connectionId)).accessToken, 40); // enough for a multi-page update
    h.emulator.mutateDuringNextPagination();
    const r = await syncConnection(t.db, { userId, connectionId, trigger: "manual" }, deps);
    expect(r.status).toBe("success");
    expect(h.emulator.mutationErrorsSent).toBe(1); // the second page hit the mutation and the loop restarted
    const truth = await h.groundTruth(await creds(connectionId));
    const got = await live(connectionId);
    expect([...got.keys()].sort()).toEqual([...truth.keys()].sort());
    await h.server.close();
  });

  it("a partial run's date range reaches Plaid: /transactions/get with start_date/end_date, paged by offset; only that range is imported", async () => {
    const h = await plaidHarness({ pageSize: 25 });
    const deps = { connector: h.connector, clock: fakeClock() };
    const { connectionId } = await linkConnection(t.db, { userId, connectorId: "plaid", payload: await h.linkPayload() }, deps);
    const truth = await h.groundTruth(await creds(connectionId));
    const dates = [...new Set([...truth.values()].map((x) => x.date))].sort();
    const from = dates[Math.floor(dates.length / 3)]!;
    const to = dates[Math.floor((2 * dates.length) / 3)]!;
    const inRange = [...truth].filter(([, x]) => x.date >= from && x.date <= to);
    expect(inRange.length).toBeGreaterThan(50); // more than two pages
    const r = await syncConnection(t.db, { userId, connectionId, trigger: "manual", dateRange: { from, to } }, deps);
    expect(r.status).toBe("success");
    const reqs = h.emulator.transactionsGetRequests;
    expect(reqs.length).toBe(Math.ceil(inRange.length / 25));
    for (const [i, q] of reqs.entries()) expect(q).toEqual({ start_date: from, end_date: to, count: 25, offset: i * 25, account_ids: null });
    expect([...(await live(connectionId)).keys()].sort()).toEqual(inRange.map(([id]) => id).sort());
    // The change log was not read, and its cursor not stored: a full run later imports the rest.
    expect((await t.db.select().from(connections).where(eq(connections.id, connectionId)))[0]!.syncCursor).toBeNull();
    await h.server.close();
  });

  it("Plaid still preparing the first pull (NOT_READY, empty cursor): the run waits and asks again instead of importing nothing; if it stays not ready the run says so and is retried", async () => {
    const h = await plaidHarness({ pageSize: 200 });
    const clock = fakeClock();
    const deps = { connector: h.connector, clock };
    const { connectionId } = await linkConnection(t.db, { userId, connectorId: "plaid", payload: await h.linkPayload() }, deps);
    const token = (await creds(connectionId)).accessToken;
    h.emulator.notReadyFor(token, 2);
    const r = await syncConnection(t.db, { userId, connectionId, trigger: "initial" }, deps);
    expect(r.status).toBe("success");
    expect(clock.slept).toEqual([10_000, 10_000]);
    const truth = await h.groundTruth(await creds(connectionId));
    expect([...(await live(connectionId)).keys()].sort()).toEqual([...truth.keys()].sort());

    // A second Item that stays not ready past the retries: an error run with the reason and a retry time, nothing imported, no cursor stored.
    const [u2] = await t.db.insert(users).values({ email: "p2@example.com", passwordHash: "x" }).returning({ id: users.id });
    const other = await linkConnection(t.db, { userId: u2!.id, connectorId: "plaid", payload: await h.linkPayload() }, deps);
    h.emulator.notReadyFor((await creds(other.connectionId)).accessToken, 100);
    const stuck = await syncConnection(t.db, { userId: u2!.id, connectionId: other.connectionId, trigger: "initial" }, deps);
    expect(stuck).toMatchObject({ status: "error", code: "provider_unavailable", message: expect.stringContaining("still preparing") });
    expect(stuck.status === "error" && stuck.retryAt!.getTime()).toBe(clock.now() + 10_000);
    const [c] = await t.db.select().from(connections).where(eq(connections.id, other.connectionId));
    expect(c).toMatchObject({ status: "error", syncCursor: null });
    expect(c!.nextSyncAt).toEqual(c!.retryAt);
    expect((await live(other.connectionId)).size).toBe(0);
    await h.server.close();
  });

  it("identity is fetched on link, stored encrypted per account", async () => {
    const h = await plaidHarness();
    const deps = { connector: h.connector, clock: fakeClock() };
    const { connectionId } = await linkConnection(t.db, { userId, connectorId: "plaid", payload: await h.linkPayload() }, deps);
    await syncConnection(t.db, { userId, connectionId, trigger: "initial" }, deps);
    const accts = await t.db.select().from(financialAccounts).where(eq(financialAccounts.connectionId, connectionId));
    expect(accts.length).toBe(4);
    for (const a of accts) {
      expect(a.identity).not.toContain("Charleson");
      expect(openSecret<{ names: string[] }>(a.identity!, a.id).names).toEqual(["Alberta Bobbeth Charleson"]);
    }
    // Credit balances are liabilities: negative.
    const card = accts.find((a) => a.type === "credit")!;
    expect(card.currentBalance!.startsWith("-") || card.currentBalance === "0.0000").toBe(true);
    await h.server.close();
  });

  it("ITEM_LOGIN_REQUIRED → reauth_required → update mode → resumes from the saved cursor without duplicates", async () => {
    const h = await plaidHarness({ pageSize: 100 });
    const deps = { connector: h.connector, clock: fakeClock() };
    const { connectionId } = await linkConnection(t.db, { userId, connectorId: "plaid", payload: await h.linkPayload() }, deps);
    await syncConnection(t.db, { userId, connectionId, trigger: "initial" }, deps);
    const c = await creds(connectionId);
    const [before] = await t.db.select().from(connections).where(eq(connections.id, connectionId));

    await h.emulator.handle(new Request("http://plaid/sandbox/item/reset_login", { method: "POST", body: JSON.stringify({ client_id: "ledgerlink-emulator", secret: "emulator-secret-not-real", access_token: c.accessToken }) }));
    h.emulator.advance(c.accessToken, 2);
    const failed = await syncConnection(t.db, { userId, connectionId, trigger: "manual" }, deps);
    expect(failed).toMatchObject({ status: "error", code: "reauth_required" });
    expect((await t.db.select().from(connections).where(eq(connections.id, connectionId)))[0]!.status).toBe("reauth_required");

    // Update mode: a link token made with the access token (no products), the user logs in again.
    const { linkToken } = await h.connector.createLinkToken({ userId, credentials: c, webhookUrl: null });
    const done = await h.emulator.handle(new Request("http://plaid/link/sandbox/complete", { method: "POST", body: JSON.stringify({ link_token: linkToken, username: "user_transactions_dynamic", password: "x" }) }));
    expect(done.status).toBe(200);
    await reconnectConnection(t.db, { userId, connectionId }, deps);
    const after = await syncConnection(t.db, { userId, connectionId, trigger: "manual" }, deps);
    expect(after.status).toBe("success");
    if (after.status !== "success") return;
    // Resumed from the saved cursor: only the two new ticks' changes, not a re-import.
    expect(after.diff.added).toBeLessThan(20);
    expect((await creds(connectionId)).accessToken).toBe(c.accessToken);
    expect(before!.syncCursor).not.toBeNull();
    const truth = await h.groundTruth(c);
    expect([...(await live(connectionId)).keys()].sort()).toEqual([...truth.keys()].sort());
    const dupes = await t.db.execute(sql`select provider_transaction_id from transactions group by account_id, provider_transaction_id having count(*) > 1`);
    expect((Array.isArray(dupes) ? dupes : (dupes as { rows: unknown[] }).rows).length).toBe(0);
    await h.server.close();
  });

  it("linking the same Item again repairs the connection instead of duplicating it", async () => {
    const h = await plaidHarness();
    const deps = { connector: h.connector, clock: fakeClock() };
    const payload = await h.linkPayload();
    const first = await linkConnection(t.db, { userId, connectorId: "plaid", payload }, deps);
    await syncConnection(t.db, { userId, connectionId: first.connectionId, trigger: "initial" }, deps);
    // Plaid returns the same item_id when a user re-links the same login through update flows.
    const c = await creds(first.connectionId);
    const again = await linkConnection(t.db, { userId, connectorId: "plaid", payload: { public_token: "x" } }, {
      connector: { ...h.connector, completeLink: async () => ({ credentials: c, providerItemId: c.itemId, institution: { providerInstitutionId: "ins_109508", name: "First Platypus Bank" }, displayName: "First Platypus Bank" }) },
    });
    expect(again).toEqual({ connectionId: first.connectionId, relinked: true });
    await syncConnection(t.db, { userId, connectionId: first.connectionId, trigger: "manual" }, deps);
    expect(await t.db.select().from(connections)).toHaveLength(1);
    expect((await t.db.select().from(financialAccounts)).length).toBe(4);
    await h.server.close();
  });

  async function creds(connectionId: string) {
    const [c] = await t.db.select().from(connections).where(eq(connections.id, connectionId));
    return openSecret<PlaidCredentials>(c!.credentials, c!.id);
  }
});
