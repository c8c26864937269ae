import { withEditedFields } from "@/lib/transactions/edited";
import "server-only";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { transactions } from "@/db/schema";

/**
 * Rename a merchant once for all of this user's rows shown under that name (the merchant,
 * or the description where there is none). The raw description is kept; the new name is
 * marked user-edited, so a later sync never puts the provider's spelling back.
 */
export async function renameMerchant(db: Db, { userId, from, to }: { userId: string; from: string; to: string }): Promise<number> {
  const shown = sql`coalesce(${transactions.merchant}, ${transactions.description})`;
  const rows = await db
    .update(transactions)
    .set({
      merchant: to,
      userEditedFields: withEditedFields(["merchant"]),
      updatedAt: new Date(),
    })
    .where(and(eq(transactions.userId, userId), isNull(transactions.deletedAt), sql`${shown} = ${from}`))
    .returning({ id: transactions.id });
  return rows.length;
}
