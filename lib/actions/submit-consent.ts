"use server";

import { z } from "zod";
import { submitConsent } from "@/lib/consent/sessions";
import { env } from "@/lib/env";
import { queueConsentFinalize } from "@/lib/jobs/app";
import { authedAction } from "./safe-action";

const schema = z.object({
  sessionId: z.uuid({ error: "Unknown consent session." }),
  nonce: z.string().min(10).max(100),
  consentDays: z.coerce.number({ error: "Enter a number of days." }).int("Enter whole days."),
});

/** Consent screen → the bank's SCA page URL. */
export const submitConsentAction = authedAction(schema, async (input, { db, user }) => {
  const r = await submitConsent(db, { userId: user.id, ...input, returnUrl: `${env().appUrl}/connections/consent/${input.sessionId}` });
  // From here the server polls the bank (approve at the bank's page or in the banking app):
  // no browser needs to stay open for the connection to be created and imported.
  await queueConsentFinalize({ userId: user.id, sessionId: input.sessionId });
  return { scaUrl: r.scaUrl };
});
