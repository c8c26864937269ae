"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { renameMerchant } from "@/lib/transactions/merchants";
import { authedAction } from "./safe-action";

const schema = z.object({
  from: z.string().min(1, "Pick a merchant.").max(500),
  to: z.string().trim().min(1, "Enter the new name.").max(200, "Use at most 200 characters."),
});

/** Rename a merchant for every one of the user's rows shown under that name. */
export const renameMerchantAction = authedAction(schema, async (input, { db, user }) => {
  const count = await renameMerchant(db, { userId: user.id, from: input.from, to: input.to });
  if (!count) throw new AppError("not_found", "No transactions carry that merchant name any more.");
  revalidatePath("/transactions");
  return { count, name: input.to };
});
