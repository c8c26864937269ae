"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { startConsent } from "@/lib/consent/sessions";
import { authedAction } from "./safe-action";

const schema = z.object({
  skillCode: z.string().min(1, "Choose a bank.").max(100),
  renewConnectionId: z.uuid().optional().or(z.literal("").transform(() => undefined)),
});

/** Start a guided consent (new link, or renewal of an existing connection) and go to its first screen. */
export const startConsentAction = authedAction(schema, async (input, { db, user }) => {
  // A ConnectorError from the bank's side is mapped by the action wrapper.
  const { sessionId } = await startConsent(db, { userId: user.id, skillCode: input.skillCode, renewConnectionId: input.renewConnectionId });
  redirect(`/connections/consent/${sessionId}`);
});
