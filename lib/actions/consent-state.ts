"use server";

import { z } from "zod";
import { consentState } from "@/lib/consent/sessions";
import { authedAction } from "./safe-action";

const schema = z.object({ sessionId: z.uuid({ error: "Unknown consent session." }) });

/**
 * Where a consent session is. The server finishes it (the `consent.finalize` job polls the
 * bank, links the connection and queues its import); the page only reads this.
 */
export const consentStateAction = authedAction(schema, async (input, { db, user }) => ({
  // Wrapped: a bare object with a `status` field would be taken for the action's own result.
  session: await consentState(db, { userId: user.id, sessionId: input.sessionId }),
}));
