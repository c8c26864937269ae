import { NextResponse } from "next/server";
import { filtersFromQuery, withApiAuth } from "@/lib/api/handler";
import { queryTransactions } from "@/lib/transactions/query";

/**
 * GET /api/v1/transactions — the same filters as the table (one schema), cursor
 * pagination: follow `next_cursor` (or the `next` URL) until it is null.
 */
export const GET = withApiAuth(async (req, { db, userId }) => {
  const filters = filtersFromQuery(req.nextUrl.searchParams);
  const page = await queryTransactions(db, { userId, filters });
  let next: string | null = null;
  if (page.nextCursor) {
    const u = new URL(req.nextUrl);
    u.searchParams.set("cursor", page.nextCursor);
    next = u.pathname + u.search;
  }
  return NextResponse.json({
    transactions: page.rows.map((t) => ({
      id: t.id,
      account_id: t.accountId,
      account: t.accountName,
      date: t.date,
      authorized_date: t.authorizedDate,
      description: t.description,
      merchant: t.merchant,
      counterparty: t.counterparty,
      category: t.category,
      type: t.type,
      note: t.note,
      amount: t.amount.replace(/(\.\d\d)0{1,2}$/, "$1"),
      currency: t.currency,
      pending: t.pending,
    })),
    next_cursor: page.nextCursor,
    next,
  });
});
