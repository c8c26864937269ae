"use server";

import { withEditedFields } from "@/lib/transactions/edited";
import { and, eq, isNull } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { transactions } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { CANONICAL_CATEGORIES } from "@/lib/categories/taxonomy";
import { authedAction } from "./safe-action";

const schema = z
  .object({
    id: z.uuid({ error: "Unknown transaction." }),
    // A taxonomy name in any case is stored in the taxonomy's spelling ("groceries" → "Groceries").
    category: z
      .string()
      .trim()
      .max(100, "Use at most 100 characters.")
      .transform((c) => CANONICAL_CATEGORIES.find((k) => k.toLowerCase() === c.toLowerCase()) ?? c)
      .optional(),
    note: z.string().trim().max(2000, "Use at most 2000 characters.").optional(),
  })
  .refine((v) => v.category !== undefined || v.note !== undefined, { message: "Nothing to change." });

/** Inline edit of category / note. Marks the fields user-edited so sync never overwrites them. */
export const updateTransactionAction = authedAction(schema, async (input, { db, user }) => {
  const fields = (["category", "note"] as const).filter((f) => input[f] !== undefined);
  const updated = await db
    .update(transactions)
    .set({
      ...(input.category !== undefined ? { category: input.category || null } : {}),
      ...(input.note !== undefined ? { note: input.note || null } : {}),
      userEditedFields: withEditedFields(fields),
      updatedAt: new Date(),
    })
    .where(and(eq(transactions.id, input.id), eq(transactions.userId, user.id), isNull(transactions.deletedAt)))
    .returning({ id: transactions.id, category: transactions.category, note: transactions.note });
  if (!updated.length) throw new AppError("not_found", "That transaction does not exist.");
  revalidatePath("/transactions");
  return updated[0]!;
});
