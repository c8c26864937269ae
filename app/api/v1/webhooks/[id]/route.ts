import { handle } from "@/lib/api/v1/define";
import { deleteWebhookRoute, getWebhookRoute, updateWebhookRoute } from "@/lib/api/v1/routes";

export const GET = handle(getWebhookRoute);
export const PATCH = handle(updateWebhookRoute);
export const DELETE = handle(deleteWebhookRoute);
