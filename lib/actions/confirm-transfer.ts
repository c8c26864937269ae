"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { confirmTransfer, undoTransfer } from "@/lib/transactions/transfers";
import { authedAction } from "./safe-action";

const schema = z.object({ id: z.uuid({ error: "Unknown transaction." }), decision: z.enum(["confirm", "undo"]) });

/** Confirm a detected transfer pair, or undo it (not a transfer). Both rows; kept across syncs. */
export const confirmTransferAction = authedAction(schema, async ({ id, decision }, { db, user }) => {
  const count = decision === "confirm" ? await confirmTransfer(db, { userId: user.id, id }) : await undoTransfer(db, { userId: user.id, id });
  revalidatePath("/transactions");
  revalidatePath("/");
  return { count, decision };
});
