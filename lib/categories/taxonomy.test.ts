import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Transaction } from "plaid";
import { normalizeTransaction } from "@/lib/connectors/plaid/normalize";
import { normalizeTransaction as normalizeTeller, type TellerTransaction } from "@/lib/connectors/teller/normalize";
import { CANONICAL_CATEGORIES, canonicalCategory, categoryGroup, isCanonical } from "./taxonomy";

const FIXTURES = path.join(process.cwd(), "..", "shared", "fixtures", "external", "providers");

describe("one category vocabulary", () => {
  it("merges what different providers call the same thing", () => {
    // Demo bank / PSD2 names, Teller's enum, Plaid's PFC detailed (without primary) and primaries.
    expect(canonicalCategory("Restaurants")).toBe("Restaurants");
    expect(canonicalCategory("Restaurant")).toBe("Restaurants");
    expect(canonicalCategory("dining")).toBe("Restaurants");
    expect(canonicalCategory("DINING", "DINING")).toBe("Restaurants");
    expect(canonicalCategory("FAST_FOOD", "FOOD_AND_DRINK")).toBe("Restaurants");
    expect(canonicalCategory("Transport")).toBe("Transport");
    expect(canonicalCategory("transportation")).toBe("Transport");
    expect(canonicalCategory("TAXIS_AND_RIDE_SHARES", "TRANSPORTATION")).toBe("Transport");
    expect(canonicalCategory("GROCERIES", "FOOD_AND_DRINK")).toBe("Groceries");
    expect(canonicalCategory("groceries")).toBe("Groceries");
    expect(canonicalCategory("GROCERIES", "FOOD_RETAIL")).toBe("Groceries");
    expect(canonicalCategory("General merchandise")).toBe("Shopping");
    expect(canonicalCategory("Phone")).toBe("Phone & internet");
    expect(canonicalCategory("TELEPHONE", "RENT_AND_UTILITIES")).toBe("Phone & internet");
    expect(canonicalCategory("GAS_AND_ELECTRICITY", "RENT_AND_UTILITIES")).toBe("Utilities");
    expect(canonicalCategory("RENT", "RENT_AND_UTILITIES")).toBe("Rent");
    expect(canonicalCategory("CREDIT_CARD_PAYMENT", "LOAN_PAYMENTS")).toBe("Credit card payment");
    expect(canonicalCategory("ATM_FEES", "BANK_FEES")).toBe("Fees");
    expect(canonicalCategory("WITHDRAWAL", "TRANSFER_OUT")).toBe("Cash");
    expect(canonicalCategory("DONATIONS", "GOVERNMENT_AND_NON_PROFIT")).toBe("Charity");
    expect(canonicalCategory("TAX_PAYMENT", "GOVERNMENT_AND_NON_PROFIT")).toBe("Taxes");
    expect(canonicalCategory("WAGES", "INCOME")).toBe("Salary");
    expect(canonicalCategory("accommodation")).toBe("Lodging");
    expect(canonicalCategory("sport")).toBe("Fitness");
  });

  it("defers a label that only says 'other' to the broader one", () => {
    expect(canonicalCategory("OTHER", "INCOME")).toBe("Other income");
    expect(canonicalCategory("OTHER_GENERAL_MERCHANDISE", "GENERAL_MERCHANDISE")).toBe("Shopping");
    expect(canonicalCategory("general")).toBe("Other");
  });

  it("keeps 'no category' as null and anything unknown as Other, never a new name", () => {
    expect(canonicalCategory(null)).toBeNull();
    expect(canonicalCategory(undefined, "  ")).toBeNull();
    expect(canonicalCategory("Zzyzx widgets")).toBe("Other");
    for (const label of ["dining", "FAST_FOOD", "sport", "Whatever", "Bars"]) expect(CANONICAL_CATEGORIES).toContain(canonicalCategory(label));
  });

  it("is two levels: every category has one group; own categories have none", () => {
    expect(categoryGroup("Groceries")).toBe("Food & drink");
    expect(categoryGroup("groceries")).toBe("Food & drink");
    expect(categoryGroup("My hobby")).toBeNull();
    expect(isCanonical("Transfer")).toBe(true);
    expect(new Set(CANONICAL_CATEGORIES.map((c) => c.toLowerCase())).size).toBe(CANONICAL_CATEGORIES.length);
  });

  it("maps Plaid's legacy category lists in a real recorded /transactions/get response", () => {
    // Postman collection response (JSON with // comments). Expected values were written from
    // the file's category arrays: e.g. ["Food and Drink","Restaurants","Coffee Shop"] → Coffee.
    const text = fs.readFileSync(path.join(FIXTURES, "plaid", "plaid-postman_Transactions.json"), "utf8").replace(/^\s*\/\/.*$/gm, "");
    const body = JSON.parse(text) as { transactions: Transaction[] };
    const expected: Record<string, string> = {
      "Transfer|Deposit": "Transfer",
      "Recreation|Gyms and Fitness Centers": "Fitness",
      "Travel|Airlines and Aviation Services": "Flights",
      "Food and Drink|Restaurants": "Restaurants",
      "Food and Drink|Restaurants|Coffee Shop": "Coffee",
      "Travel|Car Service|Ride Share": "Transport",
      "Shops|Bicycles": "Shopping",
      "Payment|Credit Card": "Credit card payment",
    };
    expect(body.transactions.length).toBeGreaterThan(0);
    const seen = new Set<string>();
    for (const t of body.transactions) {
      const key = (t.category ?? []).join("|");
      seen.add(key);
      expect(expected[key], `no expectation for ${key}`).toBeDefined();
      expect(normalizeTransaction(t).category).toBe(expected[key]);
    }
    expect(seen.size).toBe(Object.keys(expected).length);
  });

  it("maps Teller categories onto the taxonomy in the normaliser", () => {
    // Teller's documented transaction shape (its recordings here hold no transactions).
    const tx: TellerTransaction = { id: "txn_1", account_id: "acc_1", amount: "-12.50", date: "2025-03-01", description: "LUNCH", status: "posted", type: "card_payment", running_balance: null, details: { processing_status: "complete", category: null, counterparty: null } };
    const out = (category: string | null) => normalizeTeller({ ...tx, details: { ...tx.details, category } }, "USD").category;
    expect(out("dining")).toBe("Restaurants");
    expect(out("transportation")).toBe("Transport");
    expect(out("transport")).toBe("Transport");
    expect(out("utilities")).toBe("Utilities");
    expect(out(null)).toBeNull();
  });
});
