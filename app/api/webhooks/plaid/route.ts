import { NextResponse } from "next/server";
import { getDb } from "@/db";
import { applyWebhookEvent } from "@/lib/connections/webhooks";
import { getConnector } from "@/lib/connectors/registry";
import { BodyTooLarge, readBodyLimited, tooLargeResponse } from "@/lib/http/body";
import { log } from "@/lib/log";
import { queueSync } from "@/lib/jobs/app";

/**
 * Plaid webhooks. The JWT in Plaid-Verification is checked against the RAW body (any
 * failure → 401); then the event updates the connection or enqueues a sync, and we
 * answer at once.
 */
export async function POST(req: Request) {
  let rawBody: string;
  try {
    rawBody = await readBodyLimited(req);
  } catch (e) {
    if (e instanceof BodyTooLarge) return tooLargeResponse();
    throw e;
  }
  const connector = getConnector("plaid");
  let event;
  try {
    event = await connector.verifyWebhook!({ headers: req.headers, rawBody });
  } catch (e) {
    log.warn("rejected Plaid webhook", { reason: (e as Error).message });
    return NextResponse.json({ error: { code: "unauthorized", message: "Webhook verification failed." } }, { status: 401 });
  }
  const next = await applyWebhookEvent(await getDb(), "plaid", event);
  if (next.action === "sync") await queueSync({ userId: next.userId, connectionId: next.connectionId, trigger: "webhook" });
  return NextResponse.json({ received: true });
}
