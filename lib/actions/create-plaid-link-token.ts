"use server";

import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { connections } from "@/db/schema";
import type { PlaidCredentials } from "@/lib/connectors/plaid/connector";
import { getConnector } from "@/lib/connectors/registry";
import { openSecret } from "@/lib/crypto";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { authedAction } from "./safe-action";

const schema = z.object({ connectionId: z.uuid({ error: "Unknown connection." }).optional() });

/** A Plaid Link token: for a new Item, or (connectionId) update mode for an existing one. */
export const createPlaidLinkTokenAction = authedAction(schema, async (input, { db, user }) => {
  const plaid = getConnector("plaid");
  let credentials: PlaidCredentials | undefined;
  if (input.connectionId) {
    const [conn] = await db
      .select()
      .from(connections)
      .where(and(eq(connections.id, input.connectionId), eq(connections.userId, user.id), eq(connections.connectorId, "plaid")));
    if (!conn || conn.status === "disconnected") throw new AppError("not_found", "That connection does not exist.");
    credentials = plaid.credentialsSchema.parse(openSecret(conn.credentials, conn.id));
  }
  // A ConnectorError (outage, rate limit, refused configuration) is mapped by the action wrapper.
  const t = await plaid.createLinkToken({ userId: user.id, credentials, webhookUrl: `${env().appUrl}/api/webhooks/plaid` });
  return { linkToken: t.linkToken };
});
