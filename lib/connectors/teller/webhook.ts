import { createHmac, timingSafeEqual } from "node:crypto";
import type { WebhookEvent } from "../contract";
import { disconnectMessage } from "./client";

/**
 * Teller webhook verification: `Teller-Signature: t=<unix>,v1=<hex>[,v1=…]`, each v1 an
 * HMAC-SHA256 of `<t>.<raw body>` under one of the signing secrets (several during
 * rotation). Accept if any v1 matches any configured secret; reject timestamps older
 * than 3 minutes. Replays (a webhook id seen before) are refused by the route, which
 * records ids in the database.
 */
export class TellerWebhookError extends Error {
  override name = "TellerWebhookError";
}

export const TELLER_WEBHOOK_TOLERANCE_S = 3 * 60;

export type TellerWebhook = { id: string; type: string; timestamp: string; payload: Record<string, unknown> };

export function verifyTellerSignature(req: { headers: Headers; rawBody: string }, secrets: string[], nowSeconds = Math.floor(Date.now() / 1000)): TellerWebhook {
  const header = req.headers.get("teller-signature");
  if (!header) throw new TellerWebhookError("missing Teller-Signature");
  let t: number | null = null;
  const v1: string[] = [];
  for (const part of header.split(",")) {
    const [k, v] = part.trim().split("=", 2);
    if (k === "t" && v && /^\d+$/.test(v)) t = Number(v);
    if (k === "v1" && v && /^[0-9a-f]{64}$/.test(v)) v1.push(v);
  }
  if (t === null || !v1.length) throw new TellerWebhookError("malformed Teller-Signature");
  if (Math.abs(nowSeconds - t) > TELLER_WEBHOOK_TOLERANCE_S) throw new TellerWebhookError("stale timestamp");
  const ok = secrets.some((secret) => {
    const expected = Buffer.from(createHmac("sha256", secret).update(`${t}.${req.rawBody}`).digest("hex"));
    return v1.some((sig) => {
      const given = Buffer.from(sig);
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  });
  if (!ok) throw new TellerWebhookError("no signature matches");
  let body: TellerWebhook;
  try {
    body = JSON.parse(req.rawBody) as TellerWebhook;
  } catch {
    throw new TellerWebhookError("body is not JSON");
  }
  if (typeof body.id !== "string" || typeof body.type !== "string") throw new TellerWebhookError("not a Teller webhook");
  return body;
}

export function tellerWebhookEvent(w: TellerWebhook): WebhookEvent {
  const enrollmentId = typeof w.payload?.enrollment_id === "string" ? w.payload.enrollment_id : null;
  if (!enrollmentId) return { kind: "ignored" };
  if (w.type === "transactions.processed") return { kind: "sync", providerItemId: enrollmentId };
  if (w.type === "enrollment.disconnected") return { kind: "reauth_required", providerItemId: enrollmentId, reason: disconnectMessage(String(w.payload.reason ?? "disconnected")) };
  return { kind: "ignored" };
}
