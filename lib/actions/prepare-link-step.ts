"use server";

import { z } from "zod";
import { prepareLinkStep } from "@/lib/connections/service";
import { authedAction } from "./safe-action";

const schema = z.object({
  connectorId: z.string({ error: "Choose a provider." }).min(1, "Choose a provider.").max(64),
  /** Repair this connection (the widget's update mode) instead of linking a new login. */
  reconnectConnectionId: z.uuid({ error: "Unknown connection." }).optional(),
});

/**
 * The one server step before any provider widget opens (link or reconnect): whatever the
 * connector's widget needs — a Plaid link token, a Teller nonce — as a WidgetStart.
 * Provider errors (outage, rate limit, refused configuration) are mapped by the action wrapper.
 */
export const prepareLinkStepAction = authedAction(schema, async (input, { db, user }) =>
  prepareLinkStep(db, { userId: user.id, connectorId: input.connectorId, reconnectConnectionId: input.reconnectConnectionId }),
);
