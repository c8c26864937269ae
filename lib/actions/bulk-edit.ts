"use server";

import { revalidatePath } from "next/cache";
import { AppError } from "@/lib/errors";
import { bulkEdit, bulkEditSchema } from "@/lib/transactions/bulk";
import { authedAction } from "./safe-action";

/** Set the category of, mark as transfer, or hide the selected transactions. */
export const bulkEditAction = authedAction(bulkEditSchema, async (input, { db, user }) => {
  const count = await bulkEdit(db, user.id, input);
  if (!count) throw new AppError("not_found", "None of the selected transactions exist any more.");
  revalidatePath("/transactions");
  revalidatePath("/");
  return { count };
});
