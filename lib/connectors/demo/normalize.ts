import { canonicalCategory } from "@/lib/categories/taxonomy";
import type { AccountType, NormalizedAccount, NormalizedBalance, NormalizedTransaction } from "../contract";
import type { DemoWireAccount, DemoWireTransaction } from "./client";

/** Demo wire format → our types. The demo bank already signs amounts (negative = out). */

const TYPES: Record<string, AccountType> = { depository: "depository", credit: "credit", loan: "loan", investment: "investment" };

export function normalizeAccount(a: DemoWireAccount): NormalizedAccount {
  return {
    providerAccountId: a.account_id,
    name: a.name,
    officialName: a.official_name,
    type: TYPES[a.type] ?? "other",
    subtype: a.subtype,
    currency: a.balances.iso_currency_code,
    mask: a.mask,
    iban: a.iban,
  };
}

export function normalizeBalance(a: DemoWireAccount, asOf: string): NormalizedBalance {
  return {
    providerAccountId: a.account_id,
    current: a.balances.current,
    available: a.balances.available,
    limit: a.balances.limit,
    currency: a.balances.iso_currency_code,
    asOf: asOf.slice(0, 10),
  };
}

export function normalizeTransaction(t: DemoWireTransaction): NormalizedTransaction {
  return {
    providerTransactionId: t.transaction_id,
    providerAccountId: t.account_id,
    pending: t.pending,
    pendingTransactionId: t.pending_transaction_id,
    date: t.date,
    authorizedDate: t.authorized_date,
    amount: t.amount,
    currency: t.iso_currency_code,
    description: t.description,
    merchant: t.merchant_name,
    counterparty: t.counterparty,
    category: canonicalCategory(t.category),
    type: t.type,
    raw: t,
  };
}
