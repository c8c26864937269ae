"use server";

import { z } from "zod";
import { issueLinkNonce } from "@/lib/connections/nonces";
import { authedAction } from "./safe-action";

/**
 * A one-time nonce for Teller Connect, bound to the signed-in user: Connect signs it into
 * the enrollment it returns, and the link is stored only if that signature verifies.
 */
export const createTellerNonceAction = authedAction(z.object({}), async (_input, { db, user }) => ({
  nonce: await issueLinkNonce(db, { userId: user.id, connectorId: "teller" }),
}));
