import { createHash } from "node:crypto";
import type { NormalizedAccount, NormalizedBalance, NormalizedTransaction } from "../contract";
import { canonical } from "@/lib/money/decimal";
import type { StatementAccount, StatementEntry, WireAccount } from "./client";

/**
 * The e-bank's statement → our types. Rules (PROVIDERS.md §6):
 * - OP / CL / DT / CT rows are the opening, closing and total lines, not transactions;
 * - amounts are unsigned strings, the sign comes from `dtkt` (D = money out);
 * - dates are the bank's local date-time (`2026-11-21T00:30:00+0200`): the bank's day is
 *   the first ten characters, never converted through UTC (a payment at 00:30 Sofia time
 *   stays on its day);
 * - the id is `acEntrySrNo` (the bank's unique entry serial); without one, a content hash.
 */

export const SUMMARY_ROWS = new Set(["OP", "CL", "DT", "CT"]);

const TYPES: Record<string, { type: string; category: string | null }> = {
  CP: { type: "card", category: null },
  FE: { type: "fee", category: "Bank Fees" },
  TI: { type: "transfer", category: "Income" },
  TO: { type: "transfer", category: "Transfer" },
  CW: { type: "atm", category: "Cash" },
  IN: { type: "interest", category: "Interest" },
};

/** "1 234,50" / "1234.50" / "1,234.50" → "1234.5" (exact, no floats). */
export function bankAmount(s: string): string {
  let v = s.replace(/[\s\u00a0]/g, "");
  if (v.includes(",") && v.includes(".")) v = v.replace(/,/g, "");
  else if (v.includes(",")) v = v.replace(",", ".");
  return canonical(v);
}

/** The bank's day of a bank date-time (no time-zone conversion). */
export function bankDay(dateTime: string): string {
  const d = dateTime.slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) throw new Error(`not a bank date: ${JSON.stringify(dateTime)}`);
  return d;
}

export function entryId(iban: string, e: StatementEntry): string {
  if (e.acEntrySrNo !== null && e.acEntrySrNo !== undefined && String(e.acEntrySrNo) !== "") return String(e.acEntrySrNo);
  const h = createHash("sha256").update([iban, e.dateTime, e.amount, e.dtkt, e.reference ?? "", e.trnType, e.remI ?? ""].join("|")).digest("hex");
  return `h:${h.slice(0, 32)}`;
}

const clean = (s: string | undefined | null) => (s ?? "").replace(/\s+/g, " ").trim();

export function normalizeEntry(iban: string, currency: string, e: StatementEntry): NormalizedTransaction | null {
  if (SUMMARY_ROWS.has(e.trnType)) return null;
  const amount = bankAmount(e.amount);
  const signed = e.dtkt === "D" && amount !== "0" ? `-${amount}` : amount;
  const kind = TYPES[e.trnType] ?? { type: e.trnType ? e.trnType.toLowerCase() : "other", category: null };
  const remarks = [e.remI, e.remIi, e.remIii].map(clean).filter(Boolean);
  const counterparty = clean(e.contragent) || clean(e.benOrderParty) || null;
  const cardMerchant = e.trnType === "CP" ? clean(e.contragent) || clean(e.remI).replace(/^POS\s+/i, "") || null : null;
  return {
    providerTransactionId: entryId(iban, e),
    providerAccountId: iban,
    pending: false,
    date: bankDay(e.dateTime),
    authorizedDate: null,
    amount: signed,
    currency,
    description: remarks[0] ?? clean(e.trname) ?? "",
    merchant: cardMerchant,
    counterparty: counterparty ?? null,
    category: kind.category,
    type: kind.type,
    raw: { ...e, iban, valueDate: e.valueDt ? bankDay(e.valueDt) : null, counterpartyIban: clean(e.trnAccount) || null },
  };
}

export function normalizeStatement(iban: string, currency: string, stmt: StatementEntry[]): NormalizedTransaction[] {
  const out: NormalizedTransaction[] = [];
  for (const e of stmt) {
    const t = normalizeEntry(iban, currency, e);
    if (t) out.push(t);
  }
  return out;
}

export function normalizeAccount(a: WireAccount): NormalizedAccount {
  return {
    providerAccountId: a.ibanAcNo,
    name: clean(a.acDesc) || `Account ${a.ibanAcNo.slice(-4)}`,
    type: "depository",
    // The bank only names its account products: "Спестовна" = savings, otherwise a current account.
    subtype: /спестов|saving|депозит|deposit/i.test(a.acDesc ?? "") ? "savings" : "checking",
    currency: a.ccy,
    iban: a.ibanAcNo,
    mask: a.ibanAcNo.slice(-4),
  };
}

export function normalizeBalance(acc: StatementAccount, asOf: string): NormalizedBalance {
  return {
    providerAccountId: acc.iban,
    current: acc.acyCurrBalance !== undefined ? bankAmount(acc.acyCurrBalance) : null,
    available: acc.acyAvlBal !== undefined ? bankAmount(acc.acyAvlBal) : null,
    currency: acc.ccy,
    asOf,
  };
}
