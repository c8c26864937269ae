"use server";

import { z } from "zod";
import { submitConsent } from "@/lib/consent/sessions";
import { env } from "@/lib/env";
import { authedAction } from "./safe-action";

const schema = z.object({
  sessionId: z.uuid({ error: "Unknown consent session." }),
  nonce: z.string().min(10).max(100),
  consentDays: z.coerce.number({ error: "Enter a number of days." }).int("Enter whole days."),
});

/** Consent screen → the bank's SCA page URL. */
export const submitConsentAction = authedAction(schema, async (input, { db, user }) => {
  const r = await submitConsent(db, { userId: user.id, ...input, returnUrl: `${env().appUrl}/connections/consent/${input.sessionId}` });
  return { scaUrl: r.scaUrl };
});
