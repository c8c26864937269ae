import { and, eq, isNull, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { connections, financialAccounts, transactions, users } from "@/db/schema";
import { disconnectConnection, linkConnection } from "@/lib/connections/service";
import { openSecret } from "@/lib/crypto";
import { syncConnection } from "@/lib/sync/engine";
import { fromUnits, toUnits } from "@/lib/money/decimal";
import type { Clock } from "@/lib/sync/retry";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import type { Connector } from "./contract";
import { ConnectorError, type ConnectorErrorCode } from "./errors";

/**
 * The conformance suite every connector + its emulator must pass (one `describe` per
 * connector, on both databases): link, first import, incremental refresh after the
 * provider adds/modifies/removes, pending→posted, error mapping, disconnect.
 */

export type Truth = Map<string, { amount: string; pending: boolean; date: string }>;

export type ConformanceHarness = {
  connector: Connector<unknown>;
  clock: Clock;
  /** What the user's link flow hands the server (fresh each time: tokens may be one-time). */
  linkPayload(): Promise<Record<string, unknown>>;
  /** Secret strings that must never appear in the database in clear. */
  secretsOf(credentials: unknown): string[];
  /** Let the provider move on: new, modified, removed and pending→posted transactions. */
  advance(credentials: unknown): Promise<void>;
  /** The provider's own view of the login's live transactions (provider id → fields). */
  groundTruth(credentials: unknown): Promise<Truth>;
  /** Make the next data request fail like the provider does for this code. */
  failNext(code: Extract<ConnectorErrorCode, "reauth_required" | "provider_unavailable" | "rate_limited">): void;
  /**
   * false for a login-only provider (a bank's web banking): there is no grant to revoke, so
   * disconnecting must instead leave no usable credentials behind.
   */
  revokesAccess?: boolean;
};

/** A connection's live transactions as stored (provider id → amount/pending/date). */
export async function stored(db: Db, connectionId: string): Promise<Truth> {
  const rows = await db
    .select({ id: transactions.providerTransactionId, amount: transactions.amount, pending: transactions.pending, date: transactions.date })
    .from(transactions)
    .innerJoin(financialAccounts, eq(financialAccounts.id, transactions.accountId))
    .where(and(eq(financialAccounts.connectionId, connectionId), isNull(transactions.deletedAt)));
  return new Map(rows.map((r) => [r.id, { amount: fromUnits(toUnits(r.amount, 2), 2), pending: r.pending, date: r.date }]));
}

function diffTruth(truth: Truth, got: Truth) {
  return {
    missing: [...truth.keys()].filter((k) => !got.has(k)),
    unexpected: [...got.keys()].filter((k) => !truth.has(k)),
    different: [...truth.keys()].filter((k) => got.has(k) && JSON.stringify(got.get(k)) !== JSON.stringify(truth.get(k))),
  };
}

export function describeConformance(name: string, makeHarness: () => Promise<ConformanceHarness>) {
  describe(`connector conformance: ${name}`, () => {
    let t: TestDatabase;
    let h: ConformanceHarness;
    let userId: string;
    beforeAll(async () => {
      t = await createTestDatabase();
    });
    afterAll(() => t.close());
    beforeEach(async () => {
      await truncateAll(t);
      h = await makeHarness();
      const [u] = await t.db.insert(users).values({ email: "conformance@example.com", passwordHash: "x" }).returning({ id: users.id });
      userId = u!.id;
    });

    const link = async () => (await linkConnection(t.db, { userId, connectorId: h.connector.id, payload: await h.linkPayload() }, { connector: h.connector })).connectionId;
    const sync = (connectionId: string) => syncConnection(t.db, { userId, connectionId, trigger: "manual" }, { connector: h.connector, clock: h.clock });
    const creds = async (connectionId: string) => {
      const [c] = await t.db.select().from(connections).where(eq(connections.id, connectionId));
      return openSecret<unknown>(c!.credentials, c!.id);
    };

    it("links: credentials are stored encrypted, the institution is recorded", async () => {
      const id = await link();
      const [c] = await t.db.select().from(connections).where(eq(connections.id, id));
      expect(c!.status).toBe("active");
      expect(c!.institutionId).not.toBeNull();
      const secrets = h.secretsOf(await creds(id));
      expect(secrets.length).toBeGreaterThan(0);
      const dump = JSON.stringify(await t.db.execute(sql`select * from connections`));
      for (const s of secrets) expect(dump).not.toContain(s);
    });

    it("first import equals the provider's data", async () => {
      const id = await link();
      expect((await sync(id)).status).toBe("success");
      const truth = await h.groundTruth(await creds(id));
      expect(truth.size).toBeGreaterThan(0);
      expect(diffTruth(truth, await stored(t.db, id))).toEqual({ missing: [], unexpected: [], different: [] });
    });

    it("incremental refreshes follow adds, modifications, removals and pending→posted exactly", async () => {
      const id = await link();
      await sync(id);
      const totals = { added: 0, modified: 0, removed: 0 };
      for (let i = 0; i < 6; i++) {
        await h.advance(await creds(id));
        const r = await sync(id);
        if (r.status !== "success") throw new Error(`sync failed: ${JSON.stringify(r)}`);
        totals.added += r.diff.added;
        totals.modified += r.diff.modified;
        totals.removed += r.diff.removed;
        expect(diffTruth(await h.groundTruth(await creds(id)), await stored(t.db, id))).toEqual({ missing: [], unexpected: [], different: [] });
      }
      expect(totals.added).toBeGreaterThan(0);
      expect(totals.modified).toBeGreaterThan(0);
      expect(totals.removed).toBeGreaterThan(0);
    });

    it("pending→posted never leaves both", async () => {
      const id = await link();
      if (!h.connector.capabilities.supportsPending) {
        // A provider without pending transactions (statements of booked entries) must never store one.
        await sync(id);
        await h.advance(await creds(id));
        await sync(id);
        expect(await t.db.select().from(transactions).where(eq(transactions.pending, true))).toHaveLength(0);
        expect((await stored(t.db, id)).size).toBeGreaterThan(0);
        return;
      }
      await sync(id);
      await h.advance(await creds(id));
      await sync(id);
      await h.advance(await creds(id));
      await sync(id);
      const both = await t.db.execute(sql`
        select p.id from transactions p join transactions q on q.account_id = p.account_id and q.id <> p.id
        where p.pending and p.deleted_at is null and q.deleted_at is null and q.pending_transaction_id = p.provider_transaction_id`);
      expect((Array.isArray(both) ? both : (both as { rows: unknown[] }).rows).length).toBe(0);
      const converted = await t.db.select().from(transactions).where(and(eq(transactions.pending, false), sql`${transactions.pendingTransactionId} is not null`));
      expect(converted.length).toBeGreaterThan(0);
    });

    it("maps provider errors to the vocabulary", async () => {
      const id = await link();
      const c = h.connector.credentialsSchema.parse(await creds(id));
      for (const code of ["reauth_required", "provider_unavailable", "rate_limited"] as const) {
        h.failNext(code);
        const err = await h.connector.listAccounts(c).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(ConnectorError);
        expect((err as ConnectorError).code).toBe(code);
        // User-facing messages carry no secrets.
        for (const s of h.secretsOf(c)) expect((err as ConnectorError).message).not.toContain(s);
      }
    });

    it("checks auth: ok for a working login, reauth_required when the provider says the login broke", async () => {
      const id = await link();
      const c = h.connector.credentialsSchema.parse(await creds(id));
      expect(await h.connector.checkAuth(c)).toEqual({ ok: true });
      h.failNext("reauth_required");
      expect(await h.connector.checkAuth(c)).toEqual({ ok: false, code: "reauth_required" });
      h.failNext("provider_unavailable");
      await expect(h.connector.checkAuth(c)).rejects.toMatchObject({ code: "provider_unavailable" });
    });

    it("disconnects: access is revoked remotely; data kept or deleted as asked", async () => {
      const a = await link();
      await sync(a);
      const credsA = h.connector.credentialsSchema.parse(await creds(a));
      expect(await disconnectConnection(t.db, { userId, connectionId: a, keepData: true }, { connector: h.connector })).toEqual({ revokedRemotely: true });
      if (h.revokesAccess !== false) await expect(h.connector.listAccounts(credsA)).rejects.toMatchObject({ code: "reauth_required" });
      const [c] = await t.db.select().from(connections).where(eq(connections.id, a));
      if (h.revokesAccess === false) expect(openSecret(c!.credentials, c!.id)).toBeNull();
      expect(c!.status).toBe("disconnected");
      expect((await stored(t.db, a)).size).toBeGreaterThan(0);
      for (const s of h.secretsOf(credsA)) expect(JSON.stringify(c)).not.toContain(s);

      await disconnectConnection(t.db, { userId, connectionId: a, keepData: false }, { connector: h.connector });
      expect(await t.db.select().from(connections)).toHaveLength(0);
      expect(await t.db.select().from(transactions)).toHaveLength(0);
    });
  });
}
