import { createHash, createPublicKey, timingSafeEqual, verify, type JsonWebKey, type KeyObject } from "node:crypto";
import type { PlaidApi } from "plaid";
import type { WebhookEvent } from "../contract";
import { plaidCall } from "./client";

/**
 * Plaid webhook verification (plaid.com/docs/api/webhooks/webhook-verification):
 * the `Plaid-Verification` header is a compact JWS, ES256 only, signed with a key we
 * fetch by `kid` (cached); `iat` at most 5 minutes old; the hex SHA-256 of the RAW body
 * must equal `request_body_sha256` (constant-time compare).
 */
export class WebhookVerificationError extends Error {
  override name = "WebhookVerificationError";
}

export const MAX_WEBHOOK_AGE_S = 5 * 60;

export function createKeyCache(api: () => PlaidApi) {
  const keys = new Map<string, { key: KeyObject; expiredAt: number | null }>();
  return async (kid: string): Promise<KeyObject> => {
    const hit = keys.get(kid);
    if (hit && hit.expiredAt === null) return hit.key;
    const res = await plaidCall(() => api().webhookVerificationKeyGet({ key_id: kid })).catch(() => {
      throw new WebhookVerificationError("unknown key id");
    });
    const jwk = res.key as unknown as JsonWebKey & { expired_at: number | null };
    const key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: "jwk" });
    keys.set(kid, { key, expiredAt: jwk.expired_at });
    return key;
  };
}

export async function verifyPlaidWebhook(
  req: { headers: Headers; rawBody: string },
  keyFor: (kid: string) => Promise<KeyObject>,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<Record<string, unknown>> {
  const jwt = req.headers.get("plaid-verification");
  if (!jwt) throw new WebhookVerificationError("missing Plaid-Verification header");
  const parts = jwt.split(".");
  if (parts.length !== 3) throw new WebhookVerificationError("malformed JWT");
  const [h, p, s] = parts as [string, string, string];
  let header: { alg?: string; kid?: string };
  let claims: { iat?: number; request_body_sha256?: string };
  try {
    header = JSON.parse(Buffer.from(h, "base64url").toString("utf8"));
    claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
  } catch {
    throw new WebhookVerificationError("malformed JWT");
  }
  if (header.alg !== "ES256") throw new WebhookVerificationError("only ES256 is accepted");
  if (!header.kid) throw new WebhookVerificationError("missing kid");
  const key = await keyFor(header.kid);
  const ok = verify("sha256", Buffer.from(`${h}.${p}`), { key, dsaEncoding: "ieee-p1363" }, Buffer.from(s, "base64url"));
  if (!ok) throw new WebhookVerificationError("bad signature");
  if (typeof claims.iat !== "number" || nowSeconds - claims.iat > MAX_WEBHOOK_AGE_S || claims.iat - nowSeconds > 60)
    throw new WebhookVerificationError("stale or future iat");
  const digest = Buffer.from(createHash("sha256").update(req.rawBody).digest("hex"));
  const claimed = Buffer.from(String(claims.request_body_sha256 ?? ""));
  if (digest.length !== claimed.length || !timingSafeEqual(digest, claimed)) throw new WebhookVerificationError("body hash mismatch");
  try {
    return JSON.parse(req.rawBody) as Record<string, unknown>;
  } catch {
    throw new WebhookVerificationError("body is not JSON");
  }
}

/** What a verified Plaid webhook means for us. */
export function plaidWebhookEvent(body: Record<string, unknown>): WebhookEvent {
  const itemId = String(body.item_id ?? "");
  const type = body.webhook_type;
  const code = body.webhook_code;
  if (!itemId) return { kind: "ignored" };
  if (type === "TRANSACTIONS" && (code === "SYNC_UPDATES_AVAILABLE" || code === "DEFAULT_UPDATE" || code === "INITIAL_UPDATE" || code === "HISTORICAL_UPDATE" || code === "TRANSACTIONS_REMOVED"))
    return { kind: "sync", providerItemId: itemId };
  if (type === "ITEM") {
    const err = body.error as { error_code?: string; display_message?: string | null } | null | undefined;
    if (code === "ERROR" && err?.error_code === "ITEM_LOGIN_REQUIRED")
      return { kind: "reauth_required", providerItemId: itemId, reason: err.display_message ?? "Your bank needs you to sign in again." };
    if (code === "PENDING_EXPIRATION") return { kind: "reauth_required", providerItemId: itemId, reason: "Your consent with the bank expires soon. Reconnect to keep syncing." };
    if (code === "PENDING_DISCONNECT") return { kind: "reauth_required", providerItemId: itemId, reason: "The bank will disconnect this login soon. Reconnect to keep syncing." };
    if (code === "USER_PERMISSION_REVOKED") return { kind: "reauth_required", providerItemId: itemId, reason: "Access was revoked at the bank or at Plaid. Reconnect to resume." };
    if (code === "LOGIN_REPAIRED" || code === "NEW_ACCOUNTS_AVAILABLE") return { kind: "sync", providerItemId: itemId };
  }
  return { kind: "ignored" };
}
