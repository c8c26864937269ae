import { NextResponse } from "next/server";
import { getDb } from "@/db";
import { applyWebhookEvent, firstDelivery } from "@/lib/connections/webhooks";
import { getConnector } from "@/lib/connectors/registry";
import { BodyTooLarge, readBodyLimited, tooLargeResponse } from "@/lib/http/body";
import { log } from "@/lib/log";
import { queueSync } from "@/lib/jobs/app";

/**
 * Teller webhooks: HMAC signature over the raw body against every configured secret,
 * 3-minute timestamp window, and a webhook id seen before is a replay — all → 401.
 */
export async function POST(req: Request) {
  let rawBody: string;
  try {
    rawBody = await readBodyLimited(req);
  } catch (e) {
    if (e instanceof BodyTooLarge) return tooLargeResponse();
    throw e;
  }
  const teller = getConnector("teller");
  const db = await getDb();
  let parsed;
  try {
    parsed = await teller.parseWebhook({ headers: req.headers, rawBody });
  } catch (e) {
    log.warn("rejected Teller webhook", { reason: (e as Error).message });
    return NextResponse.json({ error: { code: "unauthorized", message: "Webhook verification failed." } }, { status: 401 });
  }
  if (!(await firstDelivery(db, "teller", parsed.webhook.id))) {
    log.warn("rejected replayed Teller webhook", { id: parsed.webhook.id });
    return NextResponse.json({ error: { code: "unauthorized", message: "Webhook already received." } }, { status: 401 });
  }
  const next = await applyWebhookEvent(db, "teller", parsed.event);
  if (next.action === "sync") await queueSync({ userId: next.userId, connectionId: next.connectionId, trigger: "webhook" });
  return NextResponse.json({ received: true });
}
