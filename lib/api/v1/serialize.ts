import type { TransactionRow } from "@/lib/transactions/query";

/**
 * Database rows → the API's snake_case resources. The JSON export uses the same
 * transaction shape, so every JSON surface of the app has one casing.
 */

export const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
/** numeric(19,4) text → at least two decimals ("12.5000" → "12.50", "0.1234" kept). */
export const money = (s: string): string => s.replace(/(\.\d\d)0{1,2}$/, "$1");
export const moneyOrNull = (s: string | null | undefined): string | null => (s == null ? null : money(s));

export function apiTransaction(t: Omit<TransactionRow, "userEditedFields" | "raw"> & { userEditedFields?: unknown; raw?: unknown }) {
  return {
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
    amount: money(t.amount),
    currency: t.currency,
    pending: t.pending,
    excluded: t.excluded,
  };
}
