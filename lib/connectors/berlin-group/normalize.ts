import { createHash } from "node:crypto";
import { canonical, isDecimal } from "@/lib/money/decimal";
import type { NormalizedTransaction } from "../contract";
import { ConnectorError } from "../errors";

/**
 * Berlin Group NextGenPSD2 (XS2A) account transactions — the shape PSD2 banks and
 * GoCardless Bank Account Data (ex-Nordigen) return (PROVIDERS.md §4 and §7):
 * `{transactions: {booked: [Tx], pending?: [Tx]}}`, camelCase, `transactionAmount.amount` a
 * signed decimal string (negative = debit = money out, our own sign convention).
 *
 * - booked rows are posted, pending rows pending; a pending row whose `transactionId` also
 *   appears among the booked rows has been booked and is dropped (no double count);
 * - ids: `transactionId`, else GoCardless's `internalTransactionId`; without either (some banks
 *   leave both out), or when a bank repeats one id for different rows, a content hash plus
 *   the row's occurrence among identical rows — stable across refreshes of the same data;
 * - the date is the bank's own day (`bookingDate`, else `valueDate`, else the date part of
 *   `bookingDateTime` as written, never converted to UTC).
 */

export type BgAmount = { amount: string; currency: string };
export type BgTransaction = {
  transactionId?: string;
  internalTransactionId?: string;
  entryReference?: string;
  bookingDate?: string;
  valueDate?: string;
  bookingDateTime?: string;
  valueDateTime?: string;
  transactionAmount: BgAmount;
  creditorName?: string;
  debtorName?: string;
  remittanceInformationUnstructured?: string;
  remittanceInformationUnstructuredArray?: string[];
  remittanceInformationStructured?: string;
  additionalInformation?: string;
  bankTransactionCode?: string;
  proprietaryBankTransactionCode?: string;
  merchantCategoryCode?: string;
};
export type BgTransactionsResponse = { transactions: { booked?: BgTransaction[]; pending?: BgTransaction[] } };

const DAY = /^\d{4}-\d{2}-\d{2}/;
const CURRENCY = /^[A-Z]{3}$/;

function dayOf(t: BgTransaction): string | null {
  for (const d of [t.bookingDate, t.valueDate, t.bookingDateTime, t.valueDateTime]) if (d && DAY.test(d)) return d.slice(0, 10);
  return null;
}

const text = (s: string | undefined) => (s ?? "").replace(/\s+/g, " ").trim();

function describe(t: BgTransaction): string {
  return (
    text(t.remittanceInformationUnstructured) ||
    text(t.remittanceInformationUnstructuredArray?.join(" ")) ||
    text(t.remittanceInformationStructured) ||
    text(t.additionalInformation) ||
    text(t.creditorName) ||
    text(t.debtorName)
  );
}

/** One account's transactions response, normalised. `currency`: the account's, for rows whose currency is not an ISO code. */
export function normalizeBerlinGroupTransactions(providerAccountId: string, body: BgTransactionsResponse, opts: { currency: string }): NormalizedTransaction[] {
  const booked = body.transactions?.booked ?? [];
  const pending = body.transactions?.pending ?? [];
  const bookedIds = new Set(booked.map((t) => t.transactionId).filter(Boolean));
  const rows = [
    ...booked.map((t) => ({ t, pending: false })),
    ...pending.filter((t) => !(t.transactionId && bookedIds.has(t.transactionId))).map((t) => ({ t, pending: true })),
  ];
  const idOf = (t: BgTransaction) => t.transactionId || t.internalTransactionId || null;
  const seen = new Map<string, number>();
  for (const { t } of rows) {
    const id = idOf(t);
    if (id) seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  const occurrences = new Map<string, number>();
  return rows.map(({ t, pending: isPending }) => {
    const amount = t.transactionAmount?.amount;
    if (typeof amount !== "string" || !isDecimal(amount)) throw new ConnectorError("provider_unavailable", "The bank sent a transaction without a readable amount. We'll retry later.", { providerCode: "bad_amount" });
    const date = dayOf(t);
    if (!date) throw new ConnectorError("provider_unavailable", "The bank sent a transaction without a date. We'll retry later.", { providerCode: "no_date" });
    const value = canonical(amount);
    const currency = CURRENCY.test(t.transactionAmount.currency ?? "") ? t.transactionAmount.currency : opts.currency;
    const description = describe(t);
    const counterparty = text(value.startsWith("-") ? t.creditorName : t.debtorName) || null;
    let id = idOf(t);
    if (!id || seen.get(id)! > 1) {
      const content = [providerAccountId, isPending ? "pending" : "booked", date, value, currency, description, counterparty ?? "", t.entryReference ?? ""].join("|");
      const n = (occurrences.get(content) ?? 0) + 1;
      occurrences.set(content, n);
      id = `bg:${createHash("sha256").update(content).digest("hex").slice(0, 24)}:${n}`;
    }
    return {
      providerTransactionId: id,
      providerAccountId,
      pending: isPending,
      date,
      amount: value,
      currency,
      description,
      merchant: null,
      counterparty,
      category: null,
      type: t.bankTransactionCode ?? t.proprietaryBankTransactionCode ?? null,
      raw: t,
    };
  });
}
