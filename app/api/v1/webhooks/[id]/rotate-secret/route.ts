import { handle } from "@/lib/api/v1/define";
import { rotateWebhookSecretRoute } from "@/lib/api/v1/routes";

export const POST = handle(rotateWebhookSecretRoute);
