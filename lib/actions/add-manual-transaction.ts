"use server";

import { revalidatePath } from "next/cache";
import { addManualTransaction } from "@/lib/wealth/manual";
import { manualTransactionSchema } from "@/lib/wealth/schemas";
import { authedAction, actionResult } from "./safe-action";

/** Money in or out of a manual cash account. */
export const addManualTransactionAction = authedAction(manualTransactionSchema, async (input, { db, user }) => {
  const row = await addManualTransaction(db, { userId: user.id, input });
  revalidatePath("/", "layout");
  return actionResult({ status: "success" as const, data: { id: row.id }, message: "Transaction added." });
});
