"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db";
import { deliverOne } from "@/lib/webhooks/deliver";
import { redeliver } from "@/lib/webhooks/subscriptions";
import { authedAction } from "./safe-action";

const schema = z.object({ id: z.uuid({ error: "Unknown delivery." }) });

/** Send an event again now (same event id), and report how it went. */
export const redeliverWebhookAction = authedAction(schema, async (input, { db, user }) => {
  const id = await redeliver(db, { userId: user.id, deliveryId: input.id });
  const outcome = await deliverOne(await getDb(), id);
  revalidatePath("/settings/webhooks");
  return {
    status: "success" as const,
    data: { id },
    message: outcome === "delivered" ? "Delivered again." : "Sent again; the receiver did not accept it. It will be retried.",
  };
});
