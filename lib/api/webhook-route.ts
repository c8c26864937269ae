import "server-only";
import { NextResponse } from "next/server";
import { getDb } from "@/db";
import { acceptWebhook } from "@/lib/connections/webhooks";
import type { WebhookEvent } from "@/lib/connectors/contract";
import { BodyTooLarge, readBodyLimited, tooLargeResponse } from "@/lib/http/body";
import { log } from "@/lib/log";
import { queueSync } from "@/lib/jobs/app";

export type ProviderWebhook = {
  provider: string;
  /** For log lines ("rejected Plaid webhook"). */
  name: string;
  /** Verify the raw request; the event and the id a replay would repeat. Throws when it does not verify. */
  verify: (req: { headers: Headers; rawBody: string }) => Promise<{ event: WebhookEvent; replayId: string }>;
  /** How long replay ids are kept (a provider whose signatures expire); absent: forever. */
  replayWindowMs?: number;
};

/**
 * The one shape of a provider webhook route: body size limit (413), verification and
 * replay refusal (401), then the replay id recorded and the event applied in one database
 * transaction (lib/connections/webhooks.ts), a sync queued after it, and an answer at once.
 */
export function webhookRoute(spec: ProviderWebhook) {
  return async function POST(req: Request): Promise<Response> {
    let rawBody: string;
    try {
      rawBody = await readBodyLimited(req);
    } catch (e) {
      if (e instanceof BodyTooLarge) return tooLargeResponse();
      throw e;
    }
    const db = await getDb();
    try {
      const r = await acceptWebhook(
        db,
        { provider: spec.provider, verify: () => spec.verify({ headers: req.headers, rawBody }), replayWindowMs: spec.replayWindowMs },
        (input) => queueSync({ ...input, trigger: "webhook" }),
      );
      if (!r.ok) {
        log.warn(r.reason === "replay" ? `rejected replayed ${spec.name} webhook` : `rejected ${spec.name} webhook`, { reason: r.detail });
        const message = r.reason === "replay" ? "Webhook already received." : "Webhook verification failed.";
        return NextResponse.json({ error: { code: "unauthorized", message } }, { status: 401 });
      }
      return NextResponse.json({ received: true });
    } catch (e) {
      // Nothing was recorded: the provider's retry will be applied.
      log.error(`${spec.name} webhook could not be applied`, { error: e });
      return NextResponse.json({ error: { code: "internal", message: "The webhook could not be applied. Retry later." } }, { status: 500 });
    }
  };
}
