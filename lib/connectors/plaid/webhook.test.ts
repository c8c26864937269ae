import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { plaidHarness } from "@/test/plaid-harness";
import { WebhookVerificationError } from "./webhook";

/** Webhook verification, with keys fetched by the official SDK from the local Plaid. */
describe("Plaid webhook verification", () => {
  let h: Awaited<ReturnType<typeof plaidHarness>>;
  beforeAll(async () => {
    h = await plaidHarness();
  });
  afterAll(() => h.server.close());

  const body = JSON.stringify({ webhook_type: "TRANSACTIONS", webhook_code: "SYNC_UPDATES_AVAILABLE", item_id: "item-123", environment: "sandbox" }, null, 2);
  const verify = (rawBody: string, jwt: string | null) => {
    const headers = new Headers(jwt ? { "plaid-verification": jwt } : {});
    return h.connector.verifyWebhook!({ headers, rawBody });
  };
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");

  it("accepts a genuine webhook and maps it to an event", async () => {
    expect(await verify(body, h.emulator.signJwt(body))).toEqual({ kind: "sync", providerItemId: "item-123" });
  });

  it("accepts a key after rotation (fetched by kid, cached)", async () => {
    h.emulator.rotateKey();
    expect(await verify(body, h.emulator.signJwt(body))).toEqual({ kind: "sync", providerItemId: "item-123" });
  });

  it("rejects a missing header, a bad signature, a stale iat, a tampered body and an unknown kid", async () => {
    const good = h.emulator.signJwt(body);
    const [hd, pl, sig] = good.split(".") as [string, string, string];
    const flipped = Buffer.from(sig, "base64url");
    flipped[5]! ^= 0xff;
    const cases: [string, string, string | null][] = [
      ["missing", body, null],
      ["bad signature", body, `${hd}.${pl}.${flipped.toString("base64url")}`],
      ["stale iat", body, h.emulator.signJwt(body, { iat: Math.floor(Date.now() / 1000) - 6 * 60 })],
      ["tampered body", body.replace("item-123", "item-999"), good],
      ["re-serialised body", JSON.stringify(JSON.parse(body)), good],
      ["unknown kid", body, h.emulator.signJwt(body, { kid: "no-such-kid" }).replace(/^[^.]+/, b64({ alg: "ES256", kid: "no-such-kid", typ: "JWT" }))],
    ];
    for (const [name, raw, jwt] of cases) await expect(verify(raw, jwt), name).rejects.toBeInstanceOf(WebhookVerificationError);
  });

  it("rejects alg none and HS256 (no algorithm confusion)", async () => {
    const good = h.emulator.signJwt(body);
    const [hd, pl] = good.split(".") as [string, string];
    const kid = (JSON.parse(Buffer.from(hd, "base64url").toString()) as { kid: string }).kid;
    const none = `${b64({ alg: "none", kid, typ: "JWT" })}.${pl}.`;
    const hsHeader = b64({ alg: "HS256", kid, typ: "JWT" });
    const hs = `${hsHeader}.${pl}.${createHmac("sha256", "guess").update(`${hsHeader}.${pl}`).digest("base64url")}`;
    await expect(verify(body, none)).rejects.toThrow(/only ES256/);
    await expect(verify(body, hs)).rejects.toThrow(/only ES256/);
  });

  it("maps ITEM webhooks to status changes", async () => {
    const login = JSON.stringify({ webhook_type: "ITEM", webhook_code: "ERROR", item_id: "i1", error: { error_code: "ITEM_LOGIN_REQUIRED", display_message: null } });
    expect(await verify(login, h.emulator.signJwt(login))).toMatchObject({ kind: "reauth_required", providerItemId: "i1" });
    for (const code of ["PENDING_EXPIRATION", "PENDING_DISCONNECT", "USER_PERMISSION_REVOKED"]) {
      const b = JSON.stringify({ webhook_type: "ITEM", webhook_code: code, item_id: "i2" });
      expect(await verify(b, h.emulator.signJwt(b))).toMatchObject({ kind: "reauth_required", providerItemId: "i2" });
    }
    const other = JSON.stringify({ webhook_type: "HOLDINGS", webhook_code: "DEFAULT_UPDATE", item_id: "i3" });
    expect(await verify(other, h.emulator.signJwt(other))).toEqual({ kind: "ignored" });
  });
});
