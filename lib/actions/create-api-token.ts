"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { createApiToken } from "@/lib/api-tokens/tokens";
import { authedAction } from "./safe-action";

const schema = z.object({ name: z.string().trim().min(1, "Name the token, e.g. “Budget spreadsheet”.").max(60, "Use at most 60 characters.") });

/** Returns the token itself exactly once; only its hash is stored. */
export const createApiTokenAction = authedAction(schema, async (input, { db, user }) => {
  const t = await createApiToken(db, { userId: user.id, name: input.name });
  revalidatePath("/settings");
  return { token: t.token, name: t.name };
});
