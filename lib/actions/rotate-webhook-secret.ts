"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { rotateSecret } from "@/lib/webhooks/subscriptions";
import { authedAction } from "./safe-action";

const schema = z.object({ id: z.uuid({ error: "Unknown webhook." }) });

export const rotateWebhookSecretAction = authedAction(schema, async (input, { db, user }) => {
  const r = await rotateSecret(db, { userId: user.id, id: input.id });
  revalidatePath("/settings/webhooks");
  return { id: input.id, secret: r.secret, previousValidUntil: r.previousValidUntil.toISOString() };
});
