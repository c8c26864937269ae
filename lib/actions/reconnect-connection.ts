"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { reconnectAndSync } from "@/lib/jobs";
import { appJobs } from "@/lib/jobs/app";
import { authedAction } from "./safe-action";

const schema = z.object({
  connectionId: z.uuid({ error: "Unknown connection." }),
  /** What the provider's widget returned when repairing (e.g. Teller's enrollment); validated by the connector. */
  payload: z.record(z.string(), z.unknown()).optional(),
});

/** Repair a connection that needs the user (reauth_required) and queue its sync (with no browser follow-up needed). */
export const reconnectConnectionAction = authedAction(schema, async (input, { db, user }) => {
  // A ConnectorError is mapped by the action wrapper: an outage says "try again", not "reconnect".
  const jobId = await reconnectAndSync(db, await appJobs(), { userId: user.id, connectionId: input.connectionId, payload: input.payload });
  revalidatePath("/connections");
  return { jobId };
});
