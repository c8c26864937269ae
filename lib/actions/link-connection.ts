"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { linkConnection } from "@/lib/connections/service";
import { ConnectorError } from "@/lib/connectors/errors";
import { CONNECTOR_IDS } from "@/lib/connectors/registry";
import { queueSync } from "@/lib/jobs/app";
import { authedAction, actionResult } from "./safe-action";

const schema = z.object({
  connectorId: z.enum(CONNECTOR_IDS, { error: "Choose a provider." }),
  /** The link flow's own fields; each connector validates them itself. */
  payload: z.record(z.string(), z.unknown()).default({}),
});

/** Finish a link flow: store the (encrypted) credentials, create the connection and queue its first import (the browser only follows it). */
export const linkConnectionAction = authedAction(schema, async (input, { db, user }) => {
  try {
    const { connectionId, relinked } = await linkConnection(db, { userId: user.id, connectorId: input.connectorId, payload: input.payload });
    const jobId = await queueSync({ userId: user.id, connectionId, trigger: relinked ? "manual" : "initial" });
    revalidatePath("/connections");
    return { connectionId, jobId };
  } catch (e) {
    // What the user must fix goes to the form; an outage, a rate limit or a refused server
    // configuration is mapped by the action wrapper ("try again", "ask the administrator").
    if (e instanceof ConnectorError && !e.retryable && !e.opts.misconfigured) {
      // A one-time code step (web-banking logins): point at the code field.
      const otp = e.opts.providerCode === "otp_required" ? "Enter the code the bank just sent you." : e.opts.providerCode === "bad_otp" ? "That code was not accepted." : null;
      return actionResult({ status: "invalid" as const, fieldErrors: otp ? { otp: [otp] } : {}, formError: e.message });
    }
    throw e;
  }
});
