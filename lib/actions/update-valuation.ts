"use server";

import { revalidatePath } from "next/cache";
import { updateValuation } from "@/lib/wealth/manual";
import { valuationUpdateSchema } from "@/lib/wealth/schemas";
import { authedAction, actionResult } from "./safe-action";

/** Change a recorded valuation's date or value (owner-checked in SQL, audited). */
export const updateValuationAction = authedAction(valuationUpdateSchema, async ({ id, ...input }, { db, user }) => {
  const row = await updateValuation(db, { userId: user.id, id, input });
  revalidatePath("/", "layout");
  return actionResult({ status: "success" as const, data: { id: row.id, date: row.date, value: row.value }, message: `Saved ${row.value} on ${row.date}.` });
});
