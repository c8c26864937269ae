import { generateKeyPairSync, sign } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { serveOnLoopback } from "@/emulators/http";
import { EMULATOR_CLIENT_ID, EMULATOR_SECRET, PlaidEmulator } from "@/emulators/plaid/server";
import { acceptWebhook } from "@/lib/connections/webhooks";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { createPlaidConnector, type PlaidConnector } from "./connector";
import { KEY_CACHE_TTL_MS, MAX_WEBHOOK_AGE_S, WebhookVerificationError } from "./webhook";

/**
 * Plaid webhook verification against the local Plaid (keys fetched by the official SDK
 * over loopback HTTP), with the replay record in a real database (PGlite and PostgreSQL).
 */
describe("Plaid webhooks: key cache, expired keys, replays", () => {
  let t: TestDatabase;
  let clock: number;
  let emulator: PlaidEmulator;
  let server: Awaited<ReturnType<typeof serveOnLoopback>>;
  const connect = (): PlaidConnector =>
    createPlaidConnector({ clientId: EMULATOR_CLIENT_ID, secret: EMULATOR_SECRET, environment: "emulator", basePath: server.url }, { now: () => clock });

  beforeAll(async () => {
    t = await createTestDatabase();
    emulator = new PlaidEmulator({ now: () => clock, deliver: async () => {} });
    server = await serveOnLoopback(emulator.handle);
  });
  afterAll(async () => {
    await server.close();
    await t.close();
  });
  beforeEach(async () => {
    clock = Date.UTC(2026, 10, 21, 12, 0, 0);
    emulator.rotateKey(); // a fresh current key (a test may have expired the last one)
    emulator.keyRequests.length = 0;
    await truncateAll(t);
  });

  const body = JSON.stringify({ webhook_type: "TRANSACTIONS", webhook_code: "SYNC_UPDATES_AVAILABLE", item_id: "item-123", environment: "sandbox" }, null, 2);
  const req = (jwt: string, raw = body) => ({ headers: new Headers({ "plaid-verification": jwt }), rawBody: raw });
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  /** A JWT Plaid never issued: our own P-256 key, a kid Plaid does not know. */
  const forged = (kid: string) => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const h = b64({ alg: "ES256", kid, typ: "JWT" });
    const p = b64({ iat: Math.floor(clock / 1000), request_body_sha256: "0".repeat(64) });
    return `${h}.${p}.${sign("sha256", Buffer.from(`${h}.${p}`), { key: privateKey, dsaEncoding: "ieee-p1363" }).toString("base64url")}`;
  };
  /** What the route does: verify, then record the replay id in the database (with the event applied). */
  const receive = (c: PlaidConnector, jwt: string, raw = body) =>
    acceptWebhook(t.db, { provider: "plaid", verify: () => c.parseWebhook(req(jwt, raw)), replayWindowMs: (MAX_WEBHOOK_AGE_S + 60) * 1000, now: new Date(clock) }, async () => {});

  it("a forged kid costs one outbound key lookup per cache period, however many requests (and concurrent ones) name it", async () => {
    const c = connect();
    const jwt = forged("forged-kid-1");
    const burst = await Promise.all(Array.from({ length: 40 }, () => c.parseWebhook(req(jwt)).then(() => "accepted", (e: Error) => e)));
    for (const r of burst) expect(r).toBeInstanceOf(WebhookVerificationError);
    for (let i = 0; i < 20; i++) await expect(c.parseWebhook(req(jwt))).rejects.toThrow("unknown key id");
    expect(emulator.keyRequests.filter((k) => k === "forged-kid-1")).toHaveLength(1);
    // A second forged kid is its own lookup; the first stays cached.
    await expect(c.parseWebhook(req(forged("forged-kid-2")))).rejects.toThrow("unknown key id");
    await expect(c.parseWebhook(req(jwt))).rejects.toThrow("unknown key id");
    expect(emulator.keyRequests).toEqual(["forged-kid-1", "forged-kid-2"]);
    // After the cache period, one more lookup.
    clock += KEY_CACHE_TTL_MS + 1;
    await expect(c.parseWebhook(req(forged("forged-kid-1")))).rejects.toThrow("unknown key id");
    expect(emulator.keyRequests).toEqual(["forged-kid-1", "forged-kid-2", "forged-kid-1"]);
  });

  it("alg none and a missing kid are refused without any outbound lookup", async () => {
    const c = connect();
    const good = emulator.signJwt(body);
    const [, p] = good.split(".") as [string, string];
    await expect(c.parseWebhook(req(`${b64({ alg: "none", kid: "x", typ: "JWT" })}.${p}.`))).rejects.toThrow(/only ES256/);
    await expect(c.parseWebhook(req(`${b64({ alg: "ES256", typ: "JWT" })}.${p}.AAAA`))).rejects.toThrow(/missing kid/);
    expect(emulator.keyRequests).toEqual([]);
  });

  it("a good key is fetched once and reused; a key Plaid reports expired is refused (also once the cache period ends)", async () => {
    const c = connect();
    const kid = emulator.rotateKey();
    for (let i = 0; i < 5; i++) {
      clock += 1000; // a new iat each time: five distinct genuine webhooks
      expect(await c.parseWebhook(req(emulator.signJwt(body)))).toMatchObject({ event: { kind: "sync", providerItemId: "item-123" } });
    }
    expect(emulator.keyRequests).toEqual([kid]);

    // Plaid expires the key: within the cache period the key is still trusted; after it, refused.
    emulator.expireKey(kid);
    clock += KEY_CACHE_TTL_MS + 1;
    await expect(c.parseWebhook(req(emulator.signJwt(body)))).rejects.toThrow("key expired");
    await expect(c.parseWebhook(req(emulator.signJwt(body)))).rejects.toThrow("key expired");
    expect(emulator.keyRequests).toEqual([kid, kid]);

    // A key already expired when we first see it is never accepted.
    const old = emulator.rotateKey();
    emulator.expireKey(old);
    await expect(connect().parseWebhook(req(emulator.signJwt(body)))).rejects.toThrow("key expired");
  });

  it("an exact replay inside the 5-minute window is refused, also by another process (same database)", async () => {
    const jwt = emulator.signJwt(body);
    expect(await receive(connect(), jwt)).toEqual({ ok: true, event: { kind: "sync", providerItemId: "item-123" }, next: { action: "none" } });
    // Same JWT and body again: through the same connector and through a fresh one (another process's key cache).
    expect(await receive(connect(), jwt)).toMatchObject({ ok: false, reason: "replay" });
    clock += 4 * 60_000;
    expect(await receive(connect(), jwt)).toMatchObject({ ok: false, reason: "replay" });
    // Past the window the JWT itself is stale: still refused, now as unverified.
    clock += 2 * 60_000;
    expect(await receive(connect(), jwt)).toMatchObject({ ok: false, reason: "unverified", detail: "stale or future iat" });
  });

  it("a re-encoded ECDSA signature (s → n − s, also valid) is still the same message: refused as a replay", async () => {
    const jwt = emulator.signJwt(body);
    const [h, p, s] = jwt.split(".") as [string, string, string];
    const sig = Buffer.from(s, "base64url");
    const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const sVal = BigInt(`0x${sig.subarray(32).toString("hex")}`);
    const malleated = Buffer.concat([sig.subarray(0, 32), Buffer.from((n - sVal).toString(16).padStart(64, "0"), "hex")]);
    const twin = `${h}.${p}.${malleated.toString("base64url")}`;
    expect(twin).not.toBe(jwt);
    const c = connect();
    expect(await c.parseWebhook(req(twin))).toMatchObject({ event: { kind: "sync" } }); // valid on its own
    expect(await receive(c, jwt)).toMatchObject({ ok: true });
    expect(await receive(c, twin)).toMatchObject({ ok: false, reason: "replay" });
  });

  it("the same body with a new genuine JWT is a new delivery (Plaid resends identical bodies); a forged one records nothing", async () => {
    const c = connect();
    expect(await receive(c, emulator.signJwt(body))).toMatchObject({ ok: true });
    clock += 1000;
    expect(await receive(c, emulator.signJwt(body))).toMatchObject({ ok: true });
    expect(await receive(c, forged("forged-kid-3"))).toMatchObject({ ok: false, reason: "unverified" });
    clock += 1000;
    const tampered = emulator.signJwt(body);
    expect(await receive(c, tampered, body.replace("item-123", "item-999"))).toMatchObject({ ok: false, reason: "unverified", detail: "body hash mismatch" });
    // The tampered attempt did not use up the genuine message.
    expect(await receive(c, tampered)).toMatchObject({ ok: true });
  });

  it("replay ids older than the window are pruned", async () => {
    const c = connect();
    for (let i = 0; i < 3; i++) {
      clock += 1000;
      expect(await receive(c, emulator.signJwt(body))).toMatchObject({ ok: true });
    }
    const count = async () => (await t.db.query.inboundWebhooks.findMany()).length;
    expect(await count()).toBe(3);
    clock += (MAX_WEBHOOK_AGE_S + 61) * 1000;
    expect(await receive(c, emulator.signJwt(body))).toMatchObject({ ok: true });
    expect(await count()).toBe(1);
  });
});
