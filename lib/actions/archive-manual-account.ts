"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { setManualAccountArchived } from "@/lib/wealth/manual";
import { authedAction } from "./safe-action";

const schema = z.object({ id: z.uuid(), archived: z.enum(["true", "false"]).transform((s) => s === "true") });

/** Archive a manual account (it stops counting from today; its history stays) or restore it. */
export const archiveManualAccountAction = authedAction(schema, async ({ id, archived }, { db, user }) => {
  await setManualAccountArchived(db, { userId: user.id, id, archived });
  revalidatePath("/", "layout");
  return { archived };
});
