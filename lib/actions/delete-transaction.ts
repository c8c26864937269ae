"use server";

import { and, eq, isNull } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { transactions } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { authedAction } from "./safe-action";

const schema = z.object({
  id: z.uuid({ error: "Unknown transaction." }),
  /** delete: gone from the list (a user tombstone the sync keeps); exclude / include: stays listed, out of / back in the totals. */
  action: z.enum(["delete", "exclude", "include"]),
});

/** Delete one row, or leave it out of (put it back in) the totals and reports. */
export const deleteTransactionAction = authedAction(schema, async ({ id, action }, { db, user }) => {
  const now = new Date();
  const set =
    action === "delete" ? { deletedAt: now, deletedReason: "user_deleted" as const, updatedAt: now } : { excluded: action === "exclude", updatedAt: now };
  const r = await db
    .update(transactions)
    .set(set)
    .where(and(eq(transactions.id, id), eq(transactions.userId, user.id), isNull(transactions.deletedAt)))
    .returning({ id: transactions.id });
  if (!r.length) throw new AppError("not_found", "That transaction does not exist.");
  revalidatePath("/transactions");
  revalidatePath("/");
  return { id, action };
});
