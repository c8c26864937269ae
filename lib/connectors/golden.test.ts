import fs from "node:fs";
import path from "node:path";
import type { AccountBase, Transaction } from "plaid";
import { describe, expect, it } from "vitest";
import { normalizeAccount as plaidAccount, normalizeBalance as plaidBalance, normalizeTransaction as plaidTransaction } from "./plaid/normalize";
import { normalizeAccount as tellerAccount, normalizeBalance as tellerBalance, type TellerAccount, type TellerBalances } from "./teller/normalize";

/**
 * Golden tests: each normaliser on REAL recorded provider responses, read in place from
 * ../shared/fixtures/external/providers/ (never copied, never edited), so a provider is
 * never tested only against our own emulator of it. Expected figures were read from the
 * recordings by hand.
 */
const FIXTURES = path.resolve(import.meta.dirname, "../../../shared/fixtures/external/providers");
const read = (rel: string) => fs.readFileSync(path.join(FIXTURES, rel), "utf8");
/** A recorded HTTP response: status line + headers, a blank line, the JSON body. */
const httpBody = <T>(rel: string): T => JSON.parse(read(rel).split(/\r?\n\r?\n/).slice(1).join("\n\n")) as T;
/** The Postman recording has `//` comment lines (JSONC). */
const jsonc = <T>(rel: string): T => JSON.parse(read(rel).split("\n").filter((l) => !l.trim().startsWith("//")).join("\n")) as T;

describe("Plaid normaliser on a recorded /transactions/get response (Postman collection)", () => {
  const rec = jsonc<{ accounts: AccountBase[]; transactions: Transaction[] }>("plaid/plaid-postman_Transactions.json");

  it("accounts and balances: a credit card's balance is owed (negative), its limit kept", () => {
    const accts = rec.accounts.map(plaidAccount);
    expect(accts.map((a) => [a.providerAccountId, a.type, a.subtype, a.mask, a.currency])).toEqual([
      ["eoDgN47yyDu3EkZQRPdySEMo5yRPL5sLZMyAl", "depository", "checking", "0000", "USD"],
      ["nK9yLmgbb9i1pqaRd8zxIavo651V86F6q8P1n", "depository", "savings", "1111", "USD"],
      ["QKArbQv77AiQV8RZ4xAdSKmyxqp1zxipQkrbE", "depository", "cd", "2222", "USD"],
      ["ZNAPlwrppAiyBw6WDQA1HNGZz4e3ozugy8nZX", "credit", "credit card", "3333", "USD"],
    ]);
    const bal = rec.accounts.map((a) => plaidBalance(a, "2017-05-31"));
    expect(bal.map((b) => [b.current, b.available, b.limit])).toEqual([
      ["110", "100", null],
      ["210", "200", null],
      ["1000", null, null],
      ["-410", null, "2000"],
    ]);
  });

  it("transactions: Plaid's positive = money out becomes negative; refunds and interest are money in", () => {
    expect(rec.transactions).toHaveLength(70);
    const txs = rec.transactions.map(plaidTransaction);
    const byName = (name: string, date: string) => txs.find((t) => t.description === name && t.date === date)!;
    expect(byName("Touchstone Climbing", "2017-05-29")).toMatchObject({ amount: "-78.5", providerAccountId: "ZNAPlwrppAiyBw6WDQA1HNGZz4e3ozugy8nZX", pending: false, currency: "USD" });
    expect(byName("United Airlines", "2017-05-29")).toMatchObject({ amount: "500", providerAccountId: "eoDgN47yyDu3EkZQRPdySEMo5yRPL5sLZMyAl" });
    expect(byName("INTRST PYMNT", "2017-05-26")).toMatchObject({ amount: "4.22", providerAccountId: "nK9yLmgbb9i1pqaRd8zxIavo651V86F6q8P1n" });
    expect(byName("Uber 072515 SF**POOL**", "2017-05-14")).toMatchObject({ amount: "-6.33" });
    // Exact money: every amount is the recorded number negated, digit for digit.
    for (const [i, t] of txs.entries()) {
      const recorded = String(rec.transactions[i]!.amount);
      expect(t.amount).toBe(recorded.startsWith("-") ? recorded.slice(1) : `-${recorded}`);
      expect(t.date).toMatch(/^2017-0[1-5]-\d{2}$/);
    }
  });
});

describe("Teller normaliser on recorded API responses (teller-rb recordings)", () => {
  const accounts = httpBody<TellerAccount[]>("teller/tellerrb_accounts.json");
  const card = httpBody<TellerAccount>("teller/tellerrb_acc_oiin624kqjrg2mp2ea000.json");
  const balances = httpBody<TellerBalances>("teller/tellerrb_balances.json");

  it("accounts: types, subtypes, masks", () => {
    expect(accounts.map(tellerAccount).map((a) => [a.providerAccountId, a.name, a.type, a.subtype, a.mask, a.currency, a.closed])).toEqual([
      ["acc_oiin624kqjrg2mp2ea000", "Platinum Card", "credit", "credit_card", "7857", "USD", false],
      ["acc_oiin624iajrg2mp2ea000", "My Checking", "depository", "checking", "7346", "USD", false],
      ["acc_oiin624jqjrg2mp2ea000", "Essential Savings", "depository", "savings", "3528", "USD", false],
    ]);
  });

  it("a credit card's positive ledger balance is what is owed: negative for us; available credit stays positive", () => {
    expect(balances.account_id).toBe(card.id);
    expect(tellerBalance(card, balances, "2023-07-23")).toEqual({ providerAccountId: "acc_oiin624kqjrg2mp2ea000", current: "-4698.93", available: "301.07", currency: "USD", asOf: "2023-07-23" });
  });
});
