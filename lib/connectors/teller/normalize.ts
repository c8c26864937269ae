import { canonicalCategory } from "@/lib/categories/taxonomy";
import { cleanMerchantName } from "@/lib/merchants/clean";
import type { AccountType, NormalizedAccount, NormalizedBalance, NormalizedTransaction } from "../contract";
import { canonical } from "@/lib/money/decimal";
import { negate } from "../plaid/normalize";

/** Teller → our types. Teller amounts are signed strings already (negative = money out). */

export type TellerAccount = {
  id: string;
  enrollment_id: string;
  name: string;
  type: string;
  subtype: string;
  status: "open" | "closed";
  currency: string;
  last_four: string;
  institution: { id: string; name: string };
  links: Record<string, string | undefined>;
};
export type TellerBalances = { account_id: string; ledger: string | null; available: string | null };
export type TellerTransaction = {
  id: string;
  account_id: string;
  amount: string;
  date: string;
  description: string;
  status: "posted" | "pending";
  type: string;
  running_balance: string | null;
  details: { processing_status: string; category: string | null; counterparty: { name: string | null; type: string | null } | null };
};

const TYPES: Record<string, AccountType> = { depository: "depository", credit: "credit" };

export function normalizeAccount(a: TellerAccount): NormalizedAccount {
  return {
    providerAccountId: a.id,
    name: a.name,
    type: TYPES[a.type] ?? "other",
    subtype: a.subtype,
    currency: a.currency,
    mask: a.last_four,
    closed: a.status === "closed",
  };
}

export function normalizeBalance(a: TellerAccount, b: TellerBalances, asOf: string): NormalizedBalance {
  const ledger = b.ledger === null ? null : canonical(b.ledger);
  return {
    providerAccountId: a.id,
    // A card's ledger balance is what is owed: a liability, negative for us.
    current: ledger !== null && a.type === "credit" ? negate(ledger) : ledger,
    available: b.available === null ? null : canonical(b.available),
    currency: a.currency,
    asOf,
  };
}

const KIND: Record<string, string> = { card_payment: "card", transfer: "transfer", fee: "fee", interest: "interest", deposit: "deposit", ach: "payment", atm: "withdrawal", wire: "transfer" };

/** Teller transactions carry no currency: it is the account's. */
export function normalizeTransaction(t: TellerTransaction, currency: string): NormalizedTransaction {
  const cat = t.details?.category;
  return {
    providerTransactionId: t.id,
    providerAccountId: t.account_id,
    pending: t.status === "pending",
    pendingTransactionId: null, // Teller does not link a posted transaction to its pending one
    date: t.date,
    authorizedDate: null,
    amount: canonical(t.amount),
    currency,
    description: t.description,
    merchant: t.details?.counterparty?.type === "organization" && t.details.counterparty.name ? cleanMerchantName(t.details.counterparty.name) : null,
    counterparty: t.details?.counterparty?.name ?? null,
    category: canonicalCategory(cat),
    type: KIND[t.type] ?? "other",
    raw: t,
  };
}

