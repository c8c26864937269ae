"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { createManualAccount, updateManualAccount } from "@/lib/wealth/manual";
import { manualAccountSchema } from "@/lib/wealth/schemas";
import { authedAction, actionResult } from "./safe-action";

const schema = manualAccountSchema.extend({ id: z.uuid().optional().or(z.literal("").transform(() => undefined)) });

/** Create a manual account or asset, or edit one (with `id`). */
export const saveManualAccountAction = authedAction(schema, async ({ id, ...input }, { db, user }) => {
  const row = id ? await updateManualAccount(db, { userId: user.id, id, input }) : await createManualAccount(db, { userId: user.id, input });
  revalidatePath("/", "layout");
  return actionResult({ status: "success" as const, data: { id: row.id, name: row.name }, message: id ? `Saved ${row.name}.` : `Added ${row.name}.` });
});
