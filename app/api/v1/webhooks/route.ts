import { handle } from "@/lib/api/v1/define";
import { createWebhookRoute, listWebhooksRoute } from "@/lib/api/v1/routes";

export const GET = handle(listWebhooksRoute);
export const POST = handle(createWebhookRoute);
