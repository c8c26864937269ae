"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { disconnectConnection } from "@/lib/connections/service";
import { authedAction, actionResult } from "./safe-action";

const schema = z.object({
  connectionId: z.uuid({ error: "Unknown connection." }),
  keepData: z.enum(["keep", "delete"], { error: "Choose whether to keep the imported data." }).transform((v) => v === "keep"),
});

export const disconnectConnectionAction = authedAction(schema, async (input, { db, user }) => {
  const r = await disconnectConnection(db, { userId: user.id, connectionId: input.connectionId, keepData: input.keepData });
  revalidatePath("/", "layout");
  return actionResult({
    status: "success" as const,
    data: null,
    message: r.revokedRemotely
      ? "Disconnected. The provider's access was revoked."
      : "Disconnected here. We could not reach the provider to revoke access; you can also revoke it on the bank's side.",
  });
});
