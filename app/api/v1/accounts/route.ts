import { NextResponse } from "next/server";
import { listAccounts } from "@/lib/accounts/query";
import { withApiAuth } from "@/lib/api/handler";

/** GET /api/v1/accounts — the caller's accounts with balances (decimal strings). */
export const GET = withApiAuth(async (_req, { db, userId }) => {
  const accounts = await listAccounts(db, { userId, includeHidden: true });
  return NextResponse.json({
    accounts: accounts.map((a) => ({
      id: a.id,
      name: a.name,
      official_name: a.officialName,
      type: a.type,
      subtype: a.subtype,
      currency: a.currency,
      mask: a.mask,
      iban: a.iban,
      current_balance: a.currentBalance,
      available_balance: a.availableBalance,
      balance_updated_at: a.balanceUpdatedAt,
      institution: a.institutionName,
      connection_id: a.connectionId,
      connection_status: a.connectionStatus,
      hidden: a.hidden,
      closed: a.closedAt !== null,
    })),
  });
});
