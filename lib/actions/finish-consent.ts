"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { finishConsent } from "@/lib/consent/sessions";
import { queueSync } from "@/lib/jobs/app";
import { authedAction } from "./safe-action";

const schema = z.object({ sessionId: z.uuid({ error: "Unknown consent session." }), nonce: z.string().min(10).max(100) });

/** After the bank: pending (keep polling), completed (connection ready) or rejected. */
export const finishConsentAction = authedAction(schema, async (input, { db, user }) => {
  const outcome = await finishConsent(db, { userId: user.id, ...input });
  if (outcome.status !== "completed") return { outcome, jobId: null };
  // The import runs as a job on the server; the page only follows it.
  const jobId = await queueSync({ userId: user.id, connectionId: outcome.connectionId, trigger: outcome.renewed ? "manual" : "initial" });
  revalidatePath("/connections");
  return { outcome, jobId };
});
