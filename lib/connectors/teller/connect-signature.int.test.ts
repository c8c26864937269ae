import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditLog, connections, linkNonces, users } from "@/db/schema";
import { linkConnection, reconnectConnection } from "@/lib/connections/service";
import { consumeLinkNonce, issueLinkNonce, LINK_NONCE_TTL_MS } from "@/lib/connections/nonces";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { tellerHarness } from "@/test/teller-harness";
import { createTellerConnector, TELLER_NONCE_REFUSED, TELLER_SIGNATURE_REFUSED } from "./connector";

/**
 * Teller Connect's signed enrollment: the server issues a one-time nonce (in the database,
 * bound to the user) before Connect opens; the enrollment Connect hands back is stored only
 * if Teller's Ed25519 signature over nonce.accessToken.userId.enrollmentId.environment
 * verifies with the token-signing key. The local Teller signs with its sandbox key.
 */
describe("Teller Connect signed enrollment", () => {
  let t: TestDatabase;
  let h: Awaited<ReturnType<typeof tellerHarness>>;
  let alice: string;
  let bob: string;
  beforeAll(async () => {
    t = await createTestDatabase();
    h = await tellerHarness({ consumeNonce: ({ userId, nonce }) => consumeLinkNonce(t.db, { userId, connectorId: "teller", nonce }) });
  });
  afterAll(async () => {
    await h.close();
    await t.close();
  });
  beforeEach(async () => {
    await truncateAll(t);
    const rows = await t.db.insert(users).values([{ email: "alice@example.com", passwordHash: "x" }, { email: "bob@example.com", passwordHash: "x" }]).returning({ id: users.id });
    alice = rows[0]!.id;
    bob = rows[1]!.id;
  });

  const nonceFor = (userId: string) => issueLinkNonce(t.db, { userId, connectorId: "teller" });
  const link = (userId: string, payload: unknown) => linkConnection(t.db, { userId, connectorId: "teller", payload }, { connector: h.connector });
  const stored = async () => ({
    connections: (await t.db.select({ n: count() }).from(connections))[0]!.n,
    linkedAudits: (await t.db.select({ n: count() }).from(auditLog).where(eq(auditLog.action, "connection.linked")))[0]!.n,
  });
  const refused = async (userId: string, payload: unknown, message: string | RegExp) => {
    await expect(link(userId, payload)).rejects.toMatchObject({ code: "invalid_request", message: typeof message === "string" ? message : expect.stringMatching(message) });
  };

  it("a genuine enrollment signed over the nonce we issued is linked, once", async () => {
    const nonce = await nonceFor(alice);
    const e = h.enroll("username", { nonce });
    expect(e.signatures).toHaveLength(1);
    expect(await link(alice, e)).toMatchObject({ relinked: false });
    expect(await stored()).toEqual({ connections: 1, linkedAudits: 1 });
    // The nonce is gone: the same signed payload sent again is refused (replay).
    await refused(alice, e, TELLER_NONCE_REFUSED);
    // A second genuine enrollment signed over the used nonce is refused too.
    await refused(alice, h.enroll("username", { nonce }), TELLER_NONCE_REFUSED);
    expect(await stored()).toEqual({ connections: 1, linkedAudits: 1 });
  });

  it("forged, tampered, missing or foreign-key signatures are refused and nothing is stored", async () => {
    const attacker = generateKeyPairSync("ed25519");
    const cases: [string, (nonce: string) => Record<string, unknown>, RegExp | string][] = [
      ["random signature", (n) => ({ ...h.enroll("username", { nonce: n }), signatures: [randomBytes(64).toString("base64")] }), TELLER_SIGNATURE_REFUSED],
      ["no signatures", (n) => ({ ...h.enroll("username", { nonce: n }), signatures: [] }), /not signed/],
      ["signatures missing", (n) => { const { signatures: _s, ...rest } = h.enroll("username", { nonce: n }); return rest; }, /not signed/],
      ["nonce missing", (n) => { const { nonce: _n, ...rest } = h.enroll("username", { nonce: n }); return rest; }, /not started by Ledgerlink/],
      // The browser swaps in another enrollment id (or user id, or token) than Teller signed.
      ["other enrollment id", (n) => { const e = h.enroll("username", { nonce: n }); return { ...e, enrollment: { ...e.enrollment, id: "enr_someone_else" } }; }, TELLER_SIGNATURE_REFUSED],
      ["other user id", (n) => { const e = h.enroll("username", { nonce: n }); return { ...e, user: { id: "usr_someone_else" } }; }, TELLER_SIGNATURE_REFUSED],
      ["other access token", (n) => ({ ...h.enroll("username", { nonce: n }), accessToken: h.enroll("username").accessToken }), TELLER_SIGNATURE_REFUSED],
      [
        "signed with another key",
        (n) => {
          const e = h.enroll("username", { nonce: n });
          const msg = `${n}.${e.accessToken}.${e.user.id}.${e.enrollment.id}.sandbox`;
          return { ...e, signatures: [sign(null, Buffer.from(msg), attacker.privateKey).toString("base64")] };
        },
        TELLER_SIGNATURE_REFUSED,
      ],
      [
        "signed for another environment",
        (n) => {
          const e = h.enroll("username", { nonce: n });
          return { ...e, signatures: [h.emulator.signEnrollment(`${n}.${e.accessToken}.${e.user.id}.${e.enrollment.id}.production`)] };
        },
        TELLER_SIGNATURE_REFUSED,
      ],
    ];
    for (const [name, make, message] of cases) {
      const nonce = await nonceFor(alice);
      await expect(link(alice, make(nonce)), name).rejects.toMatchObject({ code: "invalid_request", message: typeof message === "string" ? message : expect.stringMatching(message) });
    }
    expect(await stored()).toEqual({ connections: 0, linkedAudits: 0 });
  });

  it("a nonce never issued, another user's nonce, or an expired one is refused; the owner can still use theirs", async () => {
    await refused(alice, h.enroll("username", { nonce: "made-up-nonce" }), TELLER_NONCE_REFUSED);
    const bobs = await nonceFor(bob);
    await refused(alice, h.enroll("username", { nonce: bobs }), TELLER_NONCE_REFUSED);
    expect(await stored()).toEqual({ connections: 0, linkedAudits: 0 });
    expect(await link(bob, h.enroll("username", { nonce: bobs }))).toMatchObject({ relinked: false });

    const old = await issueLinkNonce(t.db, { userId: alice, connectorId: "teller" }, new Date(Date.now() - LINK_NONCE_TTL_MS - 60_000));
    await refused(alice, h.enroll("username", { nonce: old }), TELLER_NONCE_REFUSED);
    // A nonce issued for another provider is not a Teller nonce.
    const plaidNonce = await issueLinkNonce(t.db, { userId: alice, connectorId: "plaid" });
    await refused(alice, h.enroll("username", { nonce: plaidNonce }), TELLER_NONCE_REFUSED);
    expect(await stored()).toEqual({ connections: 1, linkedAudits: 1 });
  });

  it("a key rotation: any one of several signatures verifying is enough", async () => {
    const nonce = await nonceFor(alice);
    const e = h.enroll("username", { nonce });
    expect(await link(alice, { ...e, signatures: [randomBytes(64).toString("base64"), ...e.signatures] })).toMatchObject({ relinked: false });
  });

  it("reconnect (Connect with the enrollment id) is verified the same way", async () => {
    const first = h.enroll("username", { nonce: await nonceFor(alice) });
    const { connectionId } = await link(alice, first);
    const repair = (nonce: string) => {
      const e = h.enroll("username", { nonce });
      // The repaired enrollment keeps its id; the stand-in signs what it returns.
      const msg = `${nonce}.${e.accessToken}.${first.user.id}.${first.enrollment.id}.sandbox`;
      return { ...e, user: first.user, enrollment: first.enrollment, signatures: [h.emulator.signEnrollment(msg)] };
    };
    await expect(reconnectConnection(t.db, { userId: alice, connectionId, payload: { ...repair(await nonceFor(alice)), signatures: [] } }, { connector: h.connector })).rejects.toMatchObject({ code: "invalid_request" });
    await expect(reconnectConnection(t.db, { userId: alice, connectionId, payload: repair(await nonceFor(bob)) }, { connector: h.connector })).rejects.toMatchObject({ message: TELLER_NONCE_REFUSED });
    await reconnectConnection(t.db, { userId: alice, connectionId, payload: repair(await nonceFor(alice)) }, { connector: h.connector });
    expect((await t.db.select({ n: count() }).from(auditLog).where(eq(auditLog.action, "connection.reconnected")))[0]!.n).toBe(1);
  });

  it("without a configured token-signing key every Teller link is refused", async () => {
    const noKey = createTellerConnector({
      mode: "production",
      applicationId: "app_x",
      settings: async () => ({ baseUrl: h.running.url, tls: { cert: h.running.pki.clientCert, key: h.running.pki.clientKey, ca: h.running.pki.caCert } }),
      webhookSecrets: async () => [],
      tokenSigningKey: async () => null,
      issueNonce: async () => "unused",
      consumeNonce: async () => true,
    });
    const e = h.enroll("username", { nonce: await nonceFor(alice) });
    await expect(linkConnection(t.db, { userId: alice, connectorId: "teller", payload: e }, { connector: noKey })).rejects.toMatchObject({ message: /TELLER_TOKEN_SIGNING_KEY/ });
    expect(await stored()).toEqual({ connections: 0, linkedAudits: 0 });
  });

  it("nonces: one-time, per user, bounded in number", async () => {
    const n = await nonceFor(alice);
    expect(await consumeLinkNonce(t.db, { userId: bob, connectorId: "teller", nonce: n })).toBe(false);
    expect(await consumeLinkNonce(t.db, { userId: alice, connectorId: "teller", nonce: n })).toBe(true);
    expect(await consumeLinkNonce(t.db, { userId: alice, connectorId: "teller", nonce: n })).toBe(false);
    for (let i = 0; i < 30; i++) await nonceFor(alice);
    expect((await t.db.select({ n: count() }).from(linkNonces).where(eq(linkNonces.userId, alice)))[0]!.n).toBe(20);
  });
});
