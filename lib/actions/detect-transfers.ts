"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { detectTransfers } from "@/lib/transactions/transfers";
import { authedAction } from "./safe-action";

/** Look for transfers between the user's own accounts across the whole history now. */
export const detectTransfersAction = authedAction(z.object({}), async (_input, { db, user }) => {
  const { pairs } = await detectTransfers(db, { userId: user.id });
  revalidatePath("/transactions");
  revalidatePath("/");
  return { pairs: pairs.length };
});
