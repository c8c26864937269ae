"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { displayNameSchema, renameConnection } from "@/lib/connections/names";
import { authedAction } from "./safe-action";

const schema = z.object({ connectionId: z.string().min(1).max(64), name: displayNameSchema });

/** Rename one of the user's connections (audited). */
export const renameConnectionAction = authedAction(schema, async (input, { db, user }) => {
  const r = await renameConnection(db, { userId: user.id, connectionId: input.connectionId, name: input.name });
  revalidatePath("/connections");
  revalidatePath("/");
  return r;
});
