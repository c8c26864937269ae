import { webhookRoute } from "@/lib/api/webhook-route";
import { getConnector } from "@/lib/connectors/registry";

/**
 * Teller webhooks: HMAC signature over the raw body against every configured secret,
 * 3-minute timestamp window, and a webhook id seen before is a replay — all → 401. The id
 * is recorded with the event applied, in one transaction.
 */
export const POST = webhookRoute({
  provider: "teller",
  name: "Teller",
  verify: async (req) => {
    const { webhook, event } = await getConnector("teller").parseWebhook(req);
    return { event, replayId: webhook.id };
  },
});
