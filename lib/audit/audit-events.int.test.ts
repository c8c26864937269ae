import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditLog, connections, syncRuns } from "@/db/schema";
import { FQ_SYNCS_PER_DAY } from "@/lib/connectors/finqware/connector";
import { createApiToken } from "@/lib/api-tokens/tokens";
import { sessionLookup } from "@/lib/api/v1/define";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { seedTransactions, seedUser } from "@/test/fixtures";
import { callApi, useDatabase } from "@/test/api-harness";
import { auditForeignIds, idsIn } from "./denied";
import { listAuditTrail } from "./trail";

/**
 * What the audit trail records beyond sign-ins and tokens, through the real route files:
 * a completed export (format and row count) and a refused access to another user's id.
 */

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  useDatabase(t);
  sessionLookup.current = async () => null;
});
afterAll(() => t.close());
beforeEach(() => truncateAll(t));

const actions = async (userId: string) =>
  (await t.db.select({ action: auditLog.action, targetType: auditLog.targetType, targetId: auditLog.targetId, metadata: auditLog.metadata }).from(auditLog).where(eq(auditLog.userId, userId))).filter(
    (r) => r.action !== "api_token.used" && r.action !== "api_token.created",
  );

describe("audit events", () => {
  it("a finished export is recorded with its format and row count", async () => {
    const a = await seedUser(t.db);
    const acct = await a.account("Checking");
    await seedTransactions(t.db, a.userId, acct, [
      { date: "2026-01-02", amount: "-10.00" },
      { date: "2026-01-03", amount: "-11.00" },
      { date: "2026-02-03", amount: "25.00" },
    ]);
    const token = (await createApiToken(t.db, { userId: a.userId, name: "read" })).token;
    const csv = await callApi("GET", "/api/v1/transactions/export?format=csv&from=2026-01-01&to=2026-01-31", { token });
    expect(csv.status).toBe(200);
    expect(csv.text.trim().split("\r\n")).toHaveLength(1 + 2); // header + the two January rows
    const ofx = await callApi("GET", "/api/v1/transactions/export?format=ofx", { token });
    expect(ofx.status).toBe(200);
    const trail = await actions(a.userId);
    expect(trail.filter((r) => r.action === "export.created").map((r) => r.metadata)).toEqual([
      { format: "csv", rows: 2 },
      { format: "ofx", rows: 3 },
    ]);
    expect((await listAuditTrail(t.db, { userId: a.userId })).some((r) => r.label === "Transactions exported")).toBe(true);
  });

  it("asking for another user's account is a 404 like a missing id, recorded in the asker's trail only", async () => {
    const a = await seedUser(t.db);
    const b = await seedUser(t.db);
    const bAcct = await b.account("B savings");
    const aToken = (await createApiToken(t.db, { userId: a.userId, name: "a" })).token;

    const foreign = await callApi("GET", `/api/v1/accounts/${bAcct}`, { token: aToken });
    const missing = await callApi("GET", "/api/v1/accounts/0b5f9a4e-8c1d-4e6f-9a2b-3c4d5e6f7a8b", { token: aToken });
    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(foreign.body).toEqual(missing.body); // no oracle: the caller cannot tell them apart

    expect((await actions(a.userId)).filter((r) => r.action === "authz.denied")).toEqual([{ action: "authz.denied", targetType: "account", targetId: bAcct, metadata: {} }]);
    expect(await actions(b.userId)).toEqual([]);
    // The connection id of another user, through the write path, is recorded too.
    const aWrite = (await createApiToken(t.db, { userId: a.userId, name: "w", scope: "write" })).token;
    expect((await callApi("POST", `/api/v1/connections/${b.connectionId}/refresh`, { token: aWrite, body: { dry_run: true } })).status).toBe(404);
    const denied = await t.db.select({ targetType: auditLog.targetType }).from(auditLog).where(and(eq(auditLog.userId, a.userId), eq(auditLog.action, "authz.denied")));
    expect(denied.map((d) => d.targetType).sort()).toEqual(["account", "connection"]);
  });

  it("idsIn finds uuids in nested input, at most ten; an own or unknown id records nothing", async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `0b5f9a4e-8c1d-4e6f-9a2b-3c4d5e6f7a${String(i).padStart(2, "0")}`);
    expect(idsIn({ a: ids[0], b: [ids[1], { c: ids[2] }], n: 3, s: "not-an-id" })).toEqual(ids.slice(0, 3));
    expect(idsIn({ list: ids })).toHaveLength(10);
    const a = await seedUser(t.db);
    const own = await a.account("Own");
    expect(await auditForeignIds(t.db, { userId: a.userId, ids: [own, ids[0]!] })).toBe(0);
    expect(await actions(a.userId)).toEqual([]);
  });
});

describe("API refresh at a provider's daily limit", () => {
  it("is refused up front with 429 and Retry-After: nothing queued, no skipped run, no audit of a refresh", async () => {
    const a = await seedUser(t.db);
    // A PSD2 (Finqware-style) bank allows FQ_SYNCS_PER_DAY refreshes a UTC day; today's are used.
    await t.db.update(connections).set({ connectorId: "finqware" }).where(eq(connections.id, a.connectionId));
    const started = new Date(Math.max(Math.floor(Date.now() / 86_400_000) * 86_400_000, Date.now() - 60_000));
    await t.db.insert(syncRuns).values(
      Array.from({ length: FQ_SYNCS_PER_DAY }, () => ({ userId: a.userId, connectionId: a.connectionId, trigger: "manual" as const, status: "success" as const, startedAt: started, finishedAt: started, attempts: 1 })),
    );
    const token = (await createApiToken(t.db, { userId: a.userId, name: "w", scope: "write" })).token;
    const r = await callApi("POST", `/api/v1/connections/${a.connectionId}/refresh`, { token, body: {} });
    expect(r.status).toBe(429);
    expect((r.body as { error: { code: string; message: string } }).error.message).toMatch(/allows 2 refreshes a day and today's are used; next possible at 00:00/);
    const retryAfter = Number(r.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
    const runs = await t.db.select({ status: syncRuns.status }).from(syncRuns).where(eq(syncRuns.connectionId, a.connectionId));
    expect(runs.map((x) => x.status)).toEqual(Array(FQ_SYNCS_PER_DAY).fill("success"));
    expect((await actions(a.userId)).filter((x) => x.action === "connection.refreshed")).toEqual([]);
  });
});
