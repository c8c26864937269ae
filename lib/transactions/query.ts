import { and, desc, eq, isNull, lt, or } from "drizzle-orm";
import type { Db } from "@/db/client";
import { financialAccounts, transactions } from "@/db/schema";

export type TransactionCursor = { date: string; id: string };

/**
 * Live (non-tombstoned) transactions of one user, newest first, keyset-paginated on
 * (date desc, id desc) — the index transactions_user_date_id_idx serves it.
 */
export async function listTransactions(
  db: Db,
  { userId, accountId, limit = 50, after }: { userId: string; accountId?: string; limit?: number; after?: TransactionCursor },
) {
  const rows = await db
    .select({
      id: transactions.id,
      date: transactions.date,
      description: transactions.description,
      merchant: transactions.merchant,
      category: transactions.category,
      amount: transactions.amount,
      currency: transactions.currency,
      pending: transactions.pending,
      accountId: transactions.accountId,
      accountName: financialAccounts.name,
    })
    .from(transactions)
    .innerJoin(financialAccounts, eq(financialAccounts.id, transactions.accountId))
    .where(
      and(
        eq(transactions.userId, userId),
        isNull(transactions.deletedAt),
        accountId ? eq(transactions.accountId, accountId) : undefined,
        after
          ? or(lt(transactions.date, after.date), and(eq(transactions.date, after.date), lt(transactions.id, after.id)))
          : undefined,
      ),
    )
    .orderBy(desc(transactions.date), desc(transactions.id))
    .limit(limit + 1);
  const hasMore = rows.length > limit;
  const page = hasMore ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return { rows: page, next: hasMore && last ? { date: last.date, id: last.id } : null };
}

export type TransactionListItem = Awaited<ReturnType<typeof listTransactions>>["rows"][number];
