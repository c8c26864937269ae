import { NextResponse } from "next/server";
import { getDb } from "@/db";
import { applyWebhookEvent, receiveWebhook } from "@/lib/connections/webhooks";
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
  const r = await receiveWebhook(db, "teller", async () => {
    const { webhook, event } = await teller.parseWebhook({ headers: req.headers, rawBody });
    return { event, replayId: webhook.id };
  });
  if (!r.ok) {
    log.warn(r.reason === "replay" ? "rejected replayed Teller webhook" : "rejected Teller webhook", { reason: r.detail });
    const message = r.reason === "replay" ? "Webhook already received." : "Webhook verification failed.";
    return NextResponse.json({ error: { code: "unauthorized", message } }, { status: 401 });
  }
  const next = await applyWebhookEvent(db, "teller", r.event);
  if (next.action === "sync") await queueSync({ userId: next.userId, connectionId: next.connectionId, trigger: "webhook" });
  return NextResponse.json({ received: true });
}
