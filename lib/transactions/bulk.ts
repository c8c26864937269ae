import { withEditedFields } from "@/lib/transactions/edited";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { transactions } from "@/db/schema";
import { CANONICAL_CATEGORIES } from "@/lib/categories/taxonomy";

export const BULK_MAX = 200;

/** Bulk edit of selected rows: one change to many of the user's own transactions. */
export const bulkEditSchema = z
  .object({
    ids: z.array(z.uuid({ error: "Unknown transaction." })).min(1, "Select at least one transaction.").max(BULK_MAX, `Select at most ${BULK_MAX} transactions at once.`),
    category: z
      .string()
      .trim()
      .min(1, "Choose a category.")
      .max(100, "Use at most 100 characters.")
      .transform((c) => CANONICAL_CATEGORIES.find((k) => k.toLowerCase() === c.toLowerCase()) ?? c)
      .optional(),
    markTransfer: z.boolean().optional(),
    hide: z.boolean().optional(),
  })
  .refine((v) => [v.category !== undefined, v.markTransfer !== undefined, v.hide === true].filter(Boolean).length === 1, { message: "Choose one change." });
export type BulkEdit = z.output<typeof bulkEditSchema>;

/**
 * Applies to live rows of this user only (other ids are ignored, never an error that would
 * tell whether they exist). Changed fields count as the user's edits, so sync keeps them.
 * "Mark as transfer" false puts back a plain payment type the user can see.
 */
export async function bulkEdit(db: Db, userId: string, edit: BulkEdit, now = new Date()): Promise<number> {
  const set: Record<string, unknown> = { updatedAt: now };
  if (edit.category !== undefined) {
    set.category = edit.category;
    set.userEditedFields = withEditedFields(["category"]);
  } else if (edit.markTransfer !== undefined) {
    set.type = edit.markTransfer ? "transfer" : sql`case when ${transactions.type} = 'transfer' then 'payment' else ${transactions.type} end`;
    set.userEditedFields = withEditedFields(["type"]);
  } else if (edit.hide) {
    set.deletedAt = now;
    set.deletedReason = "user_deleted";
  }
  const changed = await db
    .update(transactions)
    .set(set)
    .where(and(eq(transactions.userId, userId), inArray(transactions.id, edit.ids), isNull(transactions.deletedAt)))
    .returning({ id: transactions.id });
  return changed.length;
}
