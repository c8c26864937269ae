import { canonicalCategory } from "@/lib/categories/taxonomy";
import type { AccountBase, Transaction } from "plaid";
import type { AccountType, NormalizedAccount, NormalizedBalance, NormalizedTransaction } from "../contract";
import { canonical } from "@/lib/money/decimal";

/**
 * Plaid → our types. Plaid sends money as JSON numbers with POSITIVE = money OUT; we keep
 * decimal strings with NEGATIVE = money out. Credit and loan balances (what is owed,
 * positive at Plaid) become negative: they subtract from net worth.
 */

/** A JSON number as an exact decimal string (shortest round-trip form; no exponent). */
export function numberToDecimal(n: number): string {
  let s = String(n);
  if (/e/i.test(s)) s = n.toFixed(4);
  return canonical(s);
}

export function negate(decimal: string): string {
  if (decimal === "0") return decimal;
  return decimal.startsWith("-") ? decimal.slice(1) : `-${decimal}`;
}

const TYPES: Record<string, AccountType> = { depository: "depository", credit: "credit", loan: "loan", investment: "investment", brokerage: "investment" };
const isLiability = (type: string) => type === "credit" || type === "loan";

export function normalizeAccount(a: AccountBase): NormalizedAccount {
  return {
    providerAccountId: a.account_id,
    name: a.name,
    officialName: a.official_name,
    type: TYPES[a.type] ?? "other",
    subtype: a.subtype,
    currency: a.balances.iso_currency_code ?? a.balances.unofficial_currency_code ?? "USD",
    mask: a.mask,
  };
}

export function normalizeBalance(a: AccountBase, asOf: string): NormalizedBalance {
  const current = a.balances.current === null ? null : numberToDecimal(a.balances.current);
  return {
    providerAccountId: a.account_id,
    current: current !== null && isLiability(a.type) ? negate(current) : current,
    available: a.balances.available === null ? null : numberToDecimal(a.balances.available),
    limit: a.balances.limit === null || a.balances.limit === undefined ? null : numberToDecimal(a.balances.limit),
    currency: a.balances.iso_currency_code ?? a.balances.unofficial_currency_code ?? "USD",
    asOf,
  };
}

/**
 * Plaid's personal-finance category → our taxonomy: the detailed code without its primary
 * ("FOOD_AND_DRINK_GROCERIES" → "GROCERIES"), then the primary, then the legacy category list.
 */
export function categoryName(pfc: Transaction["personal_finance_category"], legacy?: string[] | null): string | null {
  const detailed = pfc?.detailed && pfc.detailed.startsWith(`${pfc.primary}_`) ? pfc.detailed.slice(pfc.primary.length + 1) : pfc?.detailed;
  return canonicalCategory(detailed, pfc?.primary, ...[...(legacy ?? [])].reverse());
}

function kind(t: Transaction): string {
  const p = t.personal_finance_category?.primary ?? "";
  if (p === "TRANSFER_IN" || p === "TRANSFER_OUT" || p === "LOAN_PAYMENTS") return "transfer";
  if (p === "BANK_FEES") return "fee";
  if (t.personal_finance_category?.detailed === "INCOME_INTEREST_EARNED") return "interest";
  if (p === "INCOME") return "deposit";
  if (t.payment_channel === "in store" || t.payment_channel === "online") return "card";
  return "payment";
}

export function normalizeTransaction(t: Transaction): NormalizedTransaction {
  return {
    providerTransactionId: t.transaction_id,
    providerAccountId: t.account_id,
    pending: t.pending,
    pendingTransactionId: t.pending_transaction_id ?? null,
    date: t.date,
    authorizedDate: t.authorized_date ?? null,
    amount: negate(numberToDecimal(t.amount)),
    currency: t.iso_currency_code ?? t.unofficial_currency_code ?? "USD",
    description: t.name ?? t.original_description ?? t.merchant_name ?? "",
    merchant: t.merchant_name ?? t.counterparties?.[0]?.name ?? null,
    counterparty: t.counterparties?.[0]?.name ?? t.payment_meta?.payer ?? t.payment_meta?.payee ?? null,
    category: categoryName(t.personal_finance_category, t.category),
    type: kind(t),
    raw: t,
  };
}
