"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { deleteSubscription, setSubscriptionActive } from "@/lib/webhooks/subscriptions";
import { authedAction, actionResult } from "./safe-action";

const schema = z.object({
  id: z.uuid({ error: "Unknown webhook." }),
  op: z.enum(["enable", "disable", "delete"], { error: "Unknown change." }),
});

/** Turn a webhook on or off, or delete it. */
export const updateWebhookAction = authedAction(schema, async (input, { db, user }) => {
  if (input.op === "delete") await deleteSubscription(db, { userId: user.id, id: input.id });
  else await setSubscriptionActive(db, { userId: user.id, id: input.id, active: input.op === "enable" });
  revalidatePath("/settings/webhooks");
  return actionResult({ status: "success" as const, data: null, message: input.op === "delete" ? "Webhook deleted." : input.op === "enable" ? "Webhook turned on." : "Webhook turned off." });
});
