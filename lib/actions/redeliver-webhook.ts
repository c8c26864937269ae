"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { appJobs } from "@/lib/jobs/app";
import { waitForAttempt } from "@/lib/webhooks/deliver";
import { redeliver } from "@/lib/webhooks/subscriptions";
import { authedAction, actionResult } from "./safe-action";

const schema = z.object({ id: z.uuid({ error: "Unknown delivery." }) });

/** Send an event again (same event id) as a delivery job, and report its first attempt if it comes quickly. */
export const redeliverWebhookAction = authedAction(schema, async (input, { db, user }) => {
  const id = await redeliver(db, { userId: user.id, deliveryId: input.id, jobs: appJobs() });
  const outcome = await waitForAttempt(db, id);
  revalidatePath("/settings/webhooks");
  return actionResult({
    status: "success" as const,
    data: { id },
    message:
      outcome === "delivered"
        ? "Delivered again."
        : outcome === "queued"
          ? "Queued; it will be sent shortly."
          : "Sent again; the receiver did not accept it. It will be retried.",
  });
});
