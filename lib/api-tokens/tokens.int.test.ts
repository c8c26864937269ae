import { and, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { apiTokens, auditLog, users } from "@/db/schema";
import { sessionLookup } from "@/lib/api/v1/define";
import { PEER_HEADER } from "@/lib/auth/request-meta";
import { callApi, useDatabase } from "@/test/api-harness";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { createApiToken, listApiTokens, revokeAllApiTokens } from "./tokens";

/** API tokens: last use (time and client address, TRUST_PROXY respected) and revoking them all. */
describe("API tokens", () => {
  let t: TestDatabase;
  let alice: string;
  let bob: string;
  beforeAll(async () => {
    t = await createTestDatabase();
    useDatabase(t);
    sessionLookup.current = async () => null; // bearer tokens only (no browser session here)
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await truncateAll(t);
    const rows = await t.db.insert(users).values([{ email: "a@example.com", passwordHash: "x" }, { email: "b@example.com", passwordHash: "x" }]).returning({ id: users.id });
    alice = rows[0]!.id;
    bob = rows[1]!.id;
  });
  afterEach(() => {
    delete process.env.TRUST_PROXY;
  });

  const lastUse = async (userId: string) => (await listApiTokens(t.db, { userId })).map((r) => ({ at: r.lastUsedAt !== null, ip: r.lastUsedIp }));

  it("the list shows when and from which address a token was last used; a forwarded address counts only behind TRUST_PROXY", async () => {
    const { token } = await createApiToken(t.db, { userId: alice, name: "sheet" });
    expect(await lastUse(alice)).toEqual([{ at: false, ip: null }]);

    // No proxy configured: X-Forwarded-For is the client's own claim, ignored; the TCP peer is recorded.
    expect((await callApi("GET", "/api/v1/accounts", { token, headers: { [PEER_HEADER]: "203.0.113.7", "x-forwarded-for": "10.9.9.9" } })).status).toBe(200);
    expect(await lastUse(alice)).toEqual([{ at: true, ip: "203.0.113.7" }]);

    // A use from another address within the minute is recorded at once (and audited with it).
    expect((await callApi("GET", "/api/v1/accounts", { token, headers: { [PEER_HEADER]: "::ffff:198.51.100.4" } })).status).toBe(200);
    expect(await lastUse(alice)).toEqual([{ at: true, ip: "198.51.100.4" }]);

    // Behind one trusted proxy the client is the right-most X-Forwarded-For entry.
    process.env.TRUST_PROXY = "1";
    expect((await callApi("GET", "/api/v1/accounts", { token, headers: { [PEER_HEADER]: "10.0.0.2", "x-forwarded-for": "6.6.6.6, 192.0.2.55" } })).status).toBe(200);
    expect(await lastUse(alice)).toEqual([{ at: true, ip: "192.0.2.55" }]);

    const used = await t.db.select({ ip: auditLog.ip }).from(auditLog).where(and(eq(auditLog.userId, alice), eq(auditLog.action, "api_token.used")));
    expect(used.map((u) => u.ip)).toEqual(["203.0.113.7", "198.51.100.4", "192.0.2.55"]);
  });

  it("repeated use from the same address within a minute writes nothing more", async () => {
    const { token } = await createApiToken(t.db, { userId: alice, name: "sheet" });
    for (let i = 0; i < 5; i++) expect((await callApi("GET", "/api/v1/accounts", { token, headers: { [PEER_HEADER]: "203.0.113.7" } })).status).toBe(200);
    expect(await t.db.select().from(auditLog).where(eq(auditLog.action, "api_token.used"))).toHaveLength(1);
  });

  it("revoking all of a user's tokens (sign out everywhere) ends only theirs, audits each, and the tokens stop working", async () => {
    const a1 = await createApiToken(t.db, { userId: alice, name: "one" });
    const a2 = await createApiToken(t.db, { userId: alice, name: "two", scope: "write" });
    const b1 = await createApiToken(t.db, { userId: bob, name: "bob's" });
    expect(await revokeAllApiTokens(t.db, { userId: alice, via: "sign_out_everywhere" })).toBe(2);
    expect(await listApiTokens(t.db, { userId: alice })).toEqual([]);
    expect(await listApiTokens(t.db, { userId: bob })).toHaveLength(1);
    for (const tok of [a1, a2]) expect((await callApi("GET", "/api/v1/accounts", { token: tok.token })).status).toBe(401);
    expect((await callApi("GET", "/api/v1/accounts", { token: b1.token })).status).toBe(200);
    const audits = await t.db.select({ targetId: auditLog.targetId, metadata: auditLog.metadata }).from(auditLog).where(and(eq(auditLog.userId, alice), eq(auditLog.action, "api_token.revoked")));
    expect(audits.map((a) => a.targetId).sort()).toEqual([a1.id, a2.id].sort());
    for (const a of audits) expect(a.metadata).toEqual({ via: "sign_out_everywhere" });
    // Nothing left to revoke: no new audit lines.
    expect(await revokeAllApiTokens(t.db, { userId: alice, via: "sign_out_everywhere" })).toBe(0);
    expect((await t.db.select().from(apiTokens).where(eq(apiTokens.userId, alice))).every((r) => r.revokedAt !== null)).toBe(true);
  });
});
