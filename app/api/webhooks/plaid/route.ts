import { webhookRoute } from "@/lib/api/webhook-route";
import { getConnector } from "@/lib/connectors/registry";
import { MAX_WEBHOOK_AGE_S } from "@/lib/connectors/plaid/webhook";

/**
 * Plaid webhooks. The JWT in Plaid-Verification is checked against the RAW body (any
 * failure → 401), an exact replay inside the 5-minute window is refused (401, ids kept in
 * the database so it holds across processes); the id is recorded with the event applied.
 */
export const POST = webhookRoute({
  provider: "plaid",
  name: "Plaid",
  verify: (req) => getConnector("plaid").parseWebhook(req),
  replayWindowMs: (MAX_WEBHOOK_AGE_S + 60) * 1000,
});
