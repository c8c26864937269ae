import { handle } from "@/lib/api/v1/define";
import { listWebhookDeliveriesRoute } from "@/lib/api/v1/routes";

export const GET = handle(listWebhookDeliveriesRoute);
