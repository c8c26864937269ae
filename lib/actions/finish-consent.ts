"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { finishConsent } from "@/lib/consent/sessions";
import { authedAction } from "./safe-action";

const schema = z.object({ sessionId: z.uuid({ error: "Unknown consent session." }), nonce: z.string().min(10).max(100) });

/** After the bank: pending (keep polling), completed (connection ready) or rejected. */
export const finishConsentAction = authedAction(schema, async (input, { db, user }) => {
  const outcome = await finishConsent(db, { userId: user.id, ...input });
  if (outcome.status === "completed") revalidatePath("/connections");
  return { outcome };
});
