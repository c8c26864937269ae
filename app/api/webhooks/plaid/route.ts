import { NextResponse } from "next/server";
import { getDb } from "@/db";
import { applyWebhookEvent, firstDeliveryWithin, receiveWebhook } from "@/lib/connections/webhooks";
import { getConnector } from "@/lib/connectors/registry";
import { MAX_WEBHOOK_AGE_S } from "@/lib/connectors/plaid/webhook";
import { BodyTooLarge, readBodyLimited, tooLargeResponse } from "@/lib/http/body";
import { log } from "@/lib/log";
import { queueSync } from "@/lib/jobs/app";

/**
 * Plaid webhooks. The JWT in Plaid-Verification is checked against the RAW body (any
 * failure → 401), an exact replay inside the 5-minute window is refused (401, ids kept in
 * the database so it holds across processes); then the event updates the connection or
 * enqueues a sync, and we answer at once.
 */
export async function POST(req: Request) {
  let rawBody: string;
  try {
    rawBody = await readBodyLimited(req);
  } catch (e) {
    if (e instanceof BodyTooLarge) return tooLargeResponse();
    throw e;
  }
  const db = await getDb();
  const plaid = getConnector("plaid");
  const r = await receiveWebhook(
    db,
    "plaid",
    () => plaid.parseWebhook({ headers: req.headers, rawBody }),
    (id) => firstDeliveryWithin(db, "plaid", id, (MAX_WEBHOOK_AGE_S + 60) * 1000),
  );
  if (!r.ok) {
    log.warn(r.reason === "replay" ? "rejected replayed Plaid webhook" : "rejected Plaid webhook", { reason: r.detail });
    const message = r.reason === "replay" ? "Webhook already received." : "Webhook verification failed.";
    return NextResponse.json({ error: { code: "unauthorized", message } }, { status: 401 });
  }
  const next = await applyWebhookEvent(db, "plaid", r.event);
  if (next.action === "sync") await queueSync({ userId: next.userId, connectionId: next.connectionId, trigger: "webhook" });
  return NextResponse.json({ received: true });
}
