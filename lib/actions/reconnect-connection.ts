"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { reconnectConnection } from "@/lib/connections/service";
import { ConnectorError } from "@/lib/connectors/errors";
import { queueSync } from "@/lib/jobs/app";
import { authedAction } from "./safe-action";

const schema = z.object({
  connectionId: z.uuid({ error: "Unknown connection." }),
  /** What the provider's widget returned when repairing (e.g. Teller's enrollment); validated by the connector. */
  payload: z.record(z.string(), z.unknown()).optional(),
});

/** Repair a connection that needs the user (reauth_required) and queue its sync (with no browser follow-up needed). */
export const reconnectConnectionAction = authedAction(schema, async (input, { db, user }) => {
  try {
    await reconnectConnection(db, { userId: user.id, connectionId: input.connectionId, payload: input.payload });
  } catch (e) {
    if (e instanceof ConnectorError) return { status: "error" as const, code: "reauth_required" as const, message: e.message };
    throw e;
  }
  const jobId = await queueSync({ userId: user.id, connectionId: input.connectionId, trigger: "manual" });
  revalidatePath("/connections");
  return { jobId };
});
