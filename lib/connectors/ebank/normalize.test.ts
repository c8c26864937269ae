import { describe, expect, it } from "vitest";
import { bankAmount, bankDay, entryId, normalizeAccount, normalizeEntry, normalizeStatement } from "./normalize";
import type { StatementEntry } from "./client";

/**
 * No public recording of this bank's statements exists (PROVIDERS.md §6 lists the field
 * names from a third-party connector), so these entries are written by hand in the shape
 * that source describes; the expected values are read off the entries themselves.
 */
const IBAN = "BG80FINV91501012345678";
const entry = (e: Partial<StatementEntry>): StatementEntry => ({
  acEntrySrNo: 1202611210,
  reference: "FT26325ABCDE",
  acBal: "100.00",
  amount: "12.30",
  dtkt: "D",
  dateTime: "2026-11-21T14:03:00+0200",
  valueDt: "2026-11-23T14:03:00+0200",
  contragent: "",
  benOrderParty: "",
  trname: "Плащане с карта",
  trnAccount: "",
  trnType: "CP",
  remI: "POS LIDL BULGARIA SOFIA",
  remIi: "Карта 4***1234",
  remIii: "",
  ...e,
});

describe("e-bank normaliser", () => {
  it("skips the opening, closing and total rows", () => {
    const rows = ["OP", "CP", "DT", "CT", "CL"].map((trnType, i) => entry({ trnType, acEntrySrNo: trnType === "CP" ? 7 : null, amount: String(i + 1) }));
    const out = normalizeStatement(IBAN, "EUR", rows);
    expect(out.map((t) => t.providerTransactionId)).toEqual(["7"]);
  });

  it("signs amounts from the debit/credit marker, exactly", () => {
    expect(normalizeEntry(IBAN, "EUR", entry({ amount: "12.30", dtkt: "D" }))!.amount).toBe("-12.3");
    expect(normalizeEntry(IBAN, "EUR", entry({ amount: "2600.00", dtkt: "C" }))!.amount).toBe("2600");
    expect(normalizeEntry(IBAN, "EUR", entry({ amount: "0.10", dtkt: "D" }))!.amount).toBe("-0.1");
    expect(bankAmount("1 234,56")).toBe("1234.56");
    expect(bankAmount("1,234.56")).toBe("1234.56");
    expect(bankAmount("90071992547409.99")).toBe("90071992547409.99"); // beyond float precision
  });

  it("keeps the bank's day: 00:30 in Sofia is not the previous UTC day", () => {
    const t = normalizeEntry(IBAN, "EUR", entry({ dateTime: "2026-03-01T00:30:00+0200", valueDt: "2026-03-03T00:30:00+0200" }))!;
    expect(t.date).toBe("2026-03-01");
    expect((t.raw as { valueDate: string }).valueDate).toBe("2026-03-03");
    expect(bankDay("2026-07-31T23:59:00+0300")).toBe("2026-07-31");
    expect(() => bankDay("21.11.2026 14:03")).toThrow();
  });

  it("maps counterparty, card merchant, fee type and the bank's own type", () => {
    const card = normalizeEntry(IBAN, "EUR", entry({ contragent: "LIDL BULGARIA SOFIA" }))!;
    expect(card).toMatchObject({ type: "card", merchant: "LIDL BULGARIA SOFIA", counterparty: "LIDL BULGARIA SOFIA", description: "POS LIDL BULGARIA SOFIA", pending: false, currency: "EUR" });
    const unsettled = normalizeEntry(IBAN, "EUR", entry({ contragent: "" }))!;
    expect(unsettled.merchant).toBe("LIDL BULGARIA SOFIA");
    const fee = normalizeEntry(IBAN, "EUR", entry({ trnType: "FE", trname: "Такса за превод", remI: "Такса превод БИСЕРА", amount: "0.60" }))!;
    expect(fee).toMatchObject({ type: "fee", category: "Bank Fees", amount: "-0.6", merchant: null });
    const transfer = normalizeEntry(IBAN, "EUR", entry({ trnType: "TI", dtkt: "C", contragent: "АКМЕ СОФТУЕР ООД", trnAccount: "BG18RZBB91550123456789", remI: "Работна заплата 10/2026" }))!;
    expect(transfer).toMatchObject({ type: "transfer", counterparty: "АКМЕ СОФТУЕР ООД", description: "Работна заплата 10/2026" });
    expect((transfer.raw as { counterpartyIban: string }).counterpartyIban).toBe("BG18RZBB91550123456789");
    expect(normalizeEntry(IBAN, "EUR", entry({ trnType: "XX" }))!.type).toBe("xx");
  });

  it("maps accounts by IBAN, with the product name telling savings from current", () => {
    expect(normalizeAccount({ ibanAcNo: IBAN, ccy: "USD", acDesc: "Спестовна сметка USD" })).toMatchObject({ providerAccountId: IBAN, iban: IBAN, mask: "5678", currency: "USD", subtype: "savings", name: "Спестовна сметка USD" });
    expect(normalizeAccount({ ibanAcNo: IBAN, ccy: "EUR", acDesc: "Разплащателна сметка" }).subtype).toBe("checking");
    expect(normalizeAccount({ ibanAcNo: IBAN, ccy: "EUR" }).name).toBe("Account 5678");
  });

  it("uses the bank's entry serial as id, or a stable content hash without one", () => {
    expect(entryId(IBAN, entry({ acEntrySrNo: 42 }))).toBe("42");
    const a = entryId(IBAN, entry({ acEntrySrNo: null }));
    expect(a).toMatch(/^h:[0-9a-f]{32}$/);
    expect(entryId(IBAN, entry({ acEntrySrNo: null }))).toBe(a);
    expect(entryId(IBAN, entry({ acEntrySrNo: null, amount: "12.31" }))).not.toBe(a);
  });
});
