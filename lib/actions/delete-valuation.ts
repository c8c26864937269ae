"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { deleteValuation } from "@/lib/wealth/manual";
import { authedAction, actionResult } from "./safe-action";

const schema = z.object({ id: z.uuid("Unknown valuation") });

/** Delete one of the user's valuations (owner-checked in SQL, audited). */
export const deleteValuationAction = authedAction(schema, async ({ id }, { db, user }) => {
  const row = await deleteValuation(db, { userId: user.id, id });
  revalidatePath("/", "layout");
  return actionResult({ status: "success" as const, data: { id }, message: `Deleted the valuation of ${row.date}.` });
});
