"use server";

import { revalidatePath } from "next/cache";
import { AppError } from "@/lib/errors";
import { createSubscription, subscriptionInputSchema } from "@/lib/webhooks/subscriptions";
import { authedAction, actionResult } from "./safe-action";

/** Returns the signing secret exactly once. A refused URL comes back as a field error. */
export const createWebhookAction = authedAction(subscriptionInputSchema, async (input, { db, user }) => {
  try {
    const s = await createSubscription(db, { userId: user.id, url: input.url, events: input.events });
    revalidatePath("/settings/webhooks");
    return actionResult({ status: "success" as const, data: { id: s.id, secret: s.secret }, message: "Webhook created." });
  } catch (e) {
    const fieldErrors = e instanceof AppError ? (e.details?.fieldErrors as Record<string, string[]> | undefined) : undefined;
    if (fieldErrors) return actionResult({ status: "invalid" as const, fieldErrors, values: { url: input.url } });
    throw e;
  }
});
