import { handle } from "@/lib/api/v1/define";
import { redeliverWebhookRoute } from "@/lib/api/v1/routes";

export const POST = handle(redeliverWebhookRoute);
