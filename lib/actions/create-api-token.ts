"use server";

import { addDaysToInstant } from "@/lib/dates";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { createApiToken } from "@/lib/api-tokens/tokens";
import { authedAction } from "./safe-action";

const schema = z.object({
  name: z.string().trim().min(1, "Name the token, e.g. “Budget spreadsheet”.").max(60, "Use at most 60 characters."),
  scope: z.enum(["read", "write"], { error: "Choose read-only or read & write." }).default("read"),
  expires: z.enum(["never", "30", "90", "365"], { error: "Choose when the token expires." }).default("never"),
});

/** Returns the token itself exactly once; only its hash is stored. */
export const createApiTokenAction = authedAction(schema, async (input, { db, user }) => {
  const expiresAt = input.expires === "never" ? null : addDaysToInstant(Date.now(), Number(input.expires));
  const t = await createApiToken(db, { userId: user.id, name: input.name, scope: input.scope, expiresAt });
  revalidatePath("/settings");
  return { token: t.token, name: t.name };
});
