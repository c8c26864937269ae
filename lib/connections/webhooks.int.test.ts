import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditLog, connections, inboundWebhooks } from "@/db/schema";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { seedUser } from "@/test/fixtures";
import { tellerHarness } from "@/test/teller-harness";
import { claimDueConnections } from "@/lib/jobs/sync-jobs";
import { acceptWebhook } from "./webhooks";

/**
 * The one webhook path (lib/api/webhook-route.ts → acceptWebhook): the replay id is
 * recorded in the same transaction as the event is applied. Real Teller signatures (the
 * local Teller's secrets), a real database (PGlite and PostgreSQL), and a real failure:
 * a CHECK constraint the apply's audit row violates.
 */
describe("provider webhooks: record the id and apply the event in one transaction", () => {
  let t: TestDatabase;
  let h: Awaited<ReturnType<typeof tellerHarness>>;
  let userId: string;
  let connectionId: string;
  const queued: { userId: string; connectionId: string }[] = [];

  beforeAll(async () => {
    t = await createTestDatabase();
    h = await tellerHarness();
  });
  afterAll(async () => {
    await h?.close();
    await t?.close();
  });
  beforeEach(async () => {
    await truncateAll(t);
    queued.length = 0;
    ({ userId, connectionId } = await seedUser(t.db));
    await t.db.update(connections).set({ connectorId: "teller", providerItemId: "enr_test_1" }).where(eq(connections.id, connectionId));
  });

  /** A webhook exactly as Teller sends it (signed with the local Teller's secret). */
  const signed = (id: string, type: string, payload: Record<string, unknown>) => {
    const rawBody = JSON.stringify({ id, type, timestamp: new Date().toISOString(), payload });
    return { headers: new Headers({ "content-type": "application/json", "teller-signature": h.emulator.signature(rawBody) }), rawBody };
  };
  const deliver = (req: { headers: Headers; rawBody: string }, enqueue = async (i: { userId: string; connectionId: string }) => void queued.push(i)) =>
    acceptWebhook(
      t.db,
      {
        provider: "teller",
        verify: async () => {
          const { webhook, event } = await h.connector.parseWebhook(req);
          return { event, replayId: webhook.id };
        },
      },
      enqueue,
    );
  const recorded = async () => (await t.db.select({ id: inboundWebhooks.webhookId }).from(inboundWebhooks).where(eq(inboundWebhooks.provider, "teller"))).map((r) => r.id);
  const reauthAudits = async () => (await t.db.select().from(auditLog).where(and(eq(auditLog.userId, userId), eq(auditLog.action, "connection.reauth_required")))).length;
  const status = async () => (await t.db.select({ s: connections.status }).from(connections).where(eq(connections.id, connectionId)))[0]!.s;

  it("an apply that fails records nothing; the provider's retry is applied once; a true replay is a no-op", async () => {
    const req = signed("wh_disconnect_1", "enrollment.disconnected", { enrollment_id: "enr_test_1", reason: "disconnected.credentials_invalid" });
    // A real constraint the apply's audit row breaks: the apply fails inside the transaction.
    await t.db.execute(sql.raw(`alter table audit_log add constraint block_reauth_audit check (action <> 'connection.reauth_required') not valid`));
    await expect(deliver(req)).rejects.toThrow();
    expect(await recorded()).toEqual([]);
    expect(await status()).toBe("active"); // the connection update was rolled back with it
    expect(await reauthAudits()).toBe(0);

    // The provider retries the same delivery once the database accepts it: applied, not a "replay".
    await t.db.execute(sql.raw(`alter table audit_log drop constraint block_reauth_audit`));
    const retry = await deliver(req);
    expect(retry).toMatchObject({ ok: true, event: { kind: "reauth_required", providerItemId: "enr_test_1" } });
    expect(await recorded()).toEqual(["wh_disconnect_1"]);
    expect(await status()).toBe("reauth_required");
    expect(await reauthAudits()).toBe(1);

    // The same delivery again is a replay: refused, nothing applied twice.
    const again = await deliver(req);
    expect(again).toMatchObject({ ok: false, reason: "replay" });
    expect(await reauthAudits()).toBe(1);
    expect(await recorded()).toEqual(["wh_disconnect_1"]);
  });

  it("a sync event queues one sync; if queueing fails the id is released and the retry queues it; a replay queues nothing", async () => {
    const req = signed("wh_processed_1", "transactions.processed", { enrollment_id: "enr_test_1" });
    await expect(
      deliver(req, async () => {
        throw new Error("queue is down");
      }),
    ).rejects.toThrow("queue is down");
    expect(await recorded()).toEqual([]);

    expect(await deliver(req)).toMatchObject({ ok: true, next: { action: "sync", connectionId } });
    expect(queued).toEqual([{ userId, connectionId }]);
    expect(await deliver(req)).toMatchObject({ ok: false, reason: "replay" });
    expect(queued).toHaveLength(1);
  });

  it("an accepted sync event makes the connection due in the same transaction: a process that dies before queueing still gets its sync from the scheduler", async () => {
    await t.db.update(connections).set({ nextSyncAt: new Date(Date.now() + 6 * 3_600_000) }).where(eq(connections.id, connectionId));
    expect((await claimDueConnections(t.db)).map((c) => c.id)).not.toContain(connectionId);
    const req = signed("wh_processed_2", "transactions.processed", { enrollment_id: "enr_test_1" });
    expect(await deliver(req)).toMatchObject({ ok: true, next: { action: "sync", connectionId } });
    expect((await claimDueConnections(t.db)).map((c) => c.id)).toContain(connectionId);
  });

  it("an unverified request records nothing (a forger cannot pre-claim an id)", async () => {
    const req = signed("wh_forged_1", "transactions.processed", { enrollment_id: "enr_test_1" });
    const forged = { headers: new Headers({ "teller-signature": h.emulator.signature(req.rawBody, undefined, ["whsec_not_tellers"]) }), rawBody: req.rawBody };
    expect(await deliver(forged)).toMatchObject({ ok: false, reason: "unverified" });
    expect(await recorded()).toEqual([]);
    // The real delivery with that id is still accepted.
    expect(await deliver(req)).toMatchObject({ ok: true });
    expect(queued).toHaveLength(1);
  });
});
