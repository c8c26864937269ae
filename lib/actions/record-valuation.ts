"use server";

import { revalidatePath } from "next/cache";
import { recordValuation } from "@/lib/wealth/manual";
import { valuationSchema } from "@/lib/wealth/schemas";
import { authedAction, actionResult } from "./safe-action";

/** Record a manual account's value on a date (a value, or quantity × unit price). */
export const recordValuationAction = authedAction(valuationSchema, async (input, { db, user }) => {
  const row = await recordValuation(db, { userId: user.id, input });
  revalidatePath("/", "layout");
  return actionResult({ status: "success" as const, data: { id: row.id }, message: `Recorded ${row.value} on ${row.date}.` });
});
