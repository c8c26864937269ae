"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { displayNameSchema, renameAccount } from "@/lib/connections/names";
import { authedAction } from "./safe-action";

const schema = z.object({ accountId: z.string().min(1).max(64), name: displayNameSchema });

/** Rename one of the user's accounts (audited); later syncs keep the new name. */
export const renameAccountAction = authedAction(schema, async (input, { db, user }) => {
  const r = await renameAccount(db, { userId: user.id, accountId: input.accountId, name: input.name });
  revalidatePath("/connections");
  revalidatePath("/accounts");
  revalidatePath("/");
  return r;
});
