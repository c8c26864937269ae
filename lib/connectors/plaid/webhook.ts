import { createHash, timingSafeEqual } from "node:crypto";
import { compactVerify, decodeProtectedHeader, errors as joseErrors, importJWK, type CryptoKey, type JWK } from "jose";
import type { PlaidApi } from "plaid";
import type { WebhookEvent } from "../contract";
import { ConnectorError } from "../errors";
import { plaidCall } from "./client";

/**
 * Plaid webhook verification (plaid.com/docs/api/webhooks/webhook-verification), with
 * `jose`: the `Plaid-Verification` header is a compact JWS, ES256 only, signed with a key
 * fetched by `kid` from /webhook_verification_key/get; `iat` at most 5 minutes old; the
 * hex SHA-256 of the RAW body must equal `request_body_sha256` (constant-time compare).
 *
 * Key ids are cached both ways for KEY_CACHE_TTL_MS: a key Plaid does not know (a forged
 * `kid`) or reports expired (`expired_at` set) is refused from the cache, so each kid costs
 * at most one outbound request per cache period however many webhooks name it (concurrent
 * ones share the same request). A good key is re-checked after the same period, which is
 * how an expiry at Plaid reaches us. The cache holds at most KEY_CACHE_MAX kids.
 *
 * The replay id (`replayId`) is the SHA-256 of the signed part (header + claims: kid, iat,
 * body hash), not of the whole JWT: an ECDSA signature can be re-encoded (s → n − s) into a
 * second valid one, which must not make a replay look new. The route records it in the
 * database so a replay inside the 5-minute window is refused across processes.
 */
export class WebhookVerificationError extends Error {
  override name = "WebhookVerificationError";
}

export const MAX_WEBHOOK_AGE_S = 5 * 60;
export const KEY_CACHE_TTL_MS = 10 * 60_000;
/** A failed lookup that was not Plaid's answer (network, 5xx) is retried sooner. */
export const KEY_OUTAGE_TTL_MS = 30_000;
export const KEY_CACHE_MAX = 1_000;

type Lookup = { key: CryptoKey } | { refused: string };

export type KeyCache = ((kid: string) => Promise<CryptoKey>) & { size: () => number };

export function createKeyCache(api: () => PlaidApi, opts: { now?: () => number; ttlMs?: number; maxEntries?: number } = {}): KeyCache {
  const now = opts.now ?? Date.now;
  const ttl = opts.ttlMs ?? KEY_CACHE_TTL_MS;
  const max = opts.maxEntries ?? KEY_CACHE_MAX;
  const entries = new Map<string, { until: number; result: Promise<Lookup> }>();

  async function fetchKey(kid: string, entry: { until: number }): Promise<Lookup> {
    let res;
    try {
      res = await plaidCall(() => api().webhookVerificationKeyGet({ key_id: kid }));
    } catch (e) {
      // Plaid answered "no such key" (4xx): remember for the whole period; an outage briefly.
      if (!(e instanceof ConnectorError && e.code === "invalid_request")) entry.until = Math.min(entry.until, now() + KEY_OUTAGE_TTL_MS);
      return { refused: "unknown key id" };
    }
    const jwk = res.key as unknown as JWK & { expired_at?: number | null };
    if (jwk.expired_at !== null && jwk.expired_at !== undefined) return { refused: "key expired" };
    if (jwk.kty !== "EC" || jwk.crv !== "P-256" || (jwk.alg !== undefined && jwk.alg !== "ES256")) return { refused: "key is not ES256" };
    try {
      return { key: (await importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, "ES256")) as CryptoKey };
    } catch {
      return { refused: "malformed key" };
    }
  }

  const keyFor = async (kid: string): Promise<CryptoKey> => {
    const t = now();
    let e = entries.get(kid);
    if (!e || e.until <= t) {
      entries.delete(kid);
      while (entries.size >= max) entries.delete(entries.keys().next().value!); // oldest first
      const fresh: { until: number; result: Promise<Lookup> } = { until: t + ttl, result: Promise.resolve({ refused: "" }) };
      fresh.result = fetchKey(kid, fresh);
      entries.set(kid, fresh);
      e = fresh;
    }
    const r = await e.result;
    if ("refused" in r) throw new WebhookVerificationError(r.refused);
    return r.key;
  };
  return Object.assign(keyFor, { size: () => entries.size });
}

export type VerifiedPlaidWebhook = { body: Record<string, unknown>; replayId: string };

export async function verifyPlaidWebhook(
  req: { headers: Headers; rawBody: string },
  keyFor: (kid: string) => Promise<CryptoKey>,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<VerifiedPlaidWebhook> {
  const jwt = req.headers.get("plaid-verification");
  if (!jwt) throw new WebhookVerificationError("missing Plaid-Verification header");
  if (jwt.length > 4096 || jwt.split(".").length !== 3) throw new WebhookVerificationError("malformed JWT");
  let header;
  try {
    header = decodeProtectedHeader(jwt);
  } catch {
    throw new WebhookVerificationError("malformed JWT");
  }
  // Checked before any key lookup: no algorithm confusion, and no outbound call for alg none/HS256.
  if (header.alg !== "ES256") throw new WebhookVerificationError("only ES256 is accepted");
  if (typeof header.kid !== "string" || !header.kid || header.kid.length > 128) throw new WebhookVerificationError("missing kid");
  const key = await keyFor(header.kid);
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(jwt, key, { algorithms: ["ES256"] }));
  } catch (e) {
    throw new WebhookVerificationError(e instanceof joseErrors.JWSSignatureVerificationFailed ? "bad signature" : "malformed JWT");
  }
  let claims: { iat?: unknown; request_body_sha256?: unknown };
  try {
    claims = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    throw new WebhookVerificationError("malformed JWT");
  }
  if (typeof claims.iat !== "number" || nowSeconds - claims.iat > MAX_WEBHOOK_AGE_S || claims.iat - nowSeconds > 60)
    throw new WebhookVerificationError("stale or future iat");
  const digest = Buffer.from(createHash("sha256").update(req.rawBody).digest("hex"));
  const claimed = Buffer.from(String(claims.request_body_sha256 ?? ""));
  if (digest.length !== claimed.length || !timingSafeEqual(digest, claimed)) throw new WebhookVerificationError("body hash mismatch");
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(req.rawBody) as Record<string, unknown>;
  } catch {
    throw new WebhookVerificationError("body is not JSON");
  }
  const signed = jwt.slice(0, jwt.lastIndexOf("."));
  return { body, replayId: `jws:${createHash("sha256").update(signed).digest("hex")}` };
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
