"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { revokeApiToken } from "@/lib/api-tokens/tokens";
import { AppError } from "@/lib/errors";
import { authedAction, actionResult } from "./safe-action";

const schema = z.object({ id: z.uuid({ error: "Unknown token." }) });

export const revokeApiTokenAction = authedAction(schema, async (input, { db, user }) => {
  if (!(await revokeApiToken(db, { userId: user.id, id: input.id }))) throw new AppError("not_found", "That token does not exist.");
  revalidatePath("/settings");
  return actionResult({ status: "success" as const, data: null, message: "Token revoked." });
});
