import { balancesOf, type DemoAccount, type DemoTransaction, type Ledger } from "../demo/ledger";

/** Demo ledger → Plaid's wire shapes (2020-09-14 API). Plaid amounts: positive = money OUT. */

export const PLAID_INSTITUTIONS = [
  { institution_id: "ins_109508", name: "First Platypus Bank", country_codes: ["US"] },
  { institution_id: "ins_109509", name: "First Gingham Credit Union", country_codes: ["US"] },
  { institution_id: "ins_109510", name: "Tattersall Federal Credit Union", country_codes: ["US"] },
] as const;

const PFC: Record<string, [string, string]> = {
  Groceries: ["FOOD_AND_DRINK", "FOOD_AND_DRINK_GROCERIES"],
  Restaurants: ["FOOD_AND_DRINK", "FOOD_AND_DRINK_RESTAURANT"],
  Rent: ["RENT_AND_UTILITIES", "RENT_AND_UTILITIES_RENT"],
  Utilities: ["RENT_AND_UTILITIES", "RENT_AND_UTILITIES_GAS_AND_ELECTRICITY"],
  Phone: ["RENT_AND_UTILITIES", "RENT_AND_UTILITIES_TELEPHONE"],
  Income: ["INCOME", "INCOME_WAGES"],
  Interest: ["INCOME", "INCOME_INTEREST_EARNED"],
  Transfer: ["TRANSFER_OUT", "TRANSFER_OUT_ACCOUNT_TRANSFER"],
  "Credit card payment": ["LOAN_PAYMENTS", "LOAN_PAYMENTS_CREDIT_CARD_PAYMENT"],
  Fees: ["BANK_FEES", "BANK_FEES_OTHER_BANK_FEES"],
  Shopping: ["GENERAL_MERCHANDISE", "GENERAL_MERCHANDISE_OTHER_GENERAL_MERCHANDISE"],
  "General merchandise": ["GENERAL_MERCHANDISE", "GENERAL_MERCHANDISE_OTHER_GENERAL_MERCHANDISE"],
  Transport: ["TRANSPORTATION", "TRANSPORTATION_TAXIS_AND_RIDE_SHARES"],
  Cash: ["TRANSFER_OUT", "TRANSFER_OUT_WITHDRAWAL"],
  Entertainment: ["ENTERTAINMENT", "ENTERTAINMENT_TV_AND_MOVIES"],
  Software: ["GENERAL_SERVICES", "GENERAL_SERVICES_OTHER_GENERAL_SERVICES"],
  News: ["GENERAL_SERVICES", "GENERAL_SERVICES_OTHER_GENERAL_SERVICES"],
};

const money = (cents: number) => Math.round(cents) / 100;

export function plaidTransaction(t: DemoTransaction) {
  const [primary, detailed] = PFC[t.category] ?? ["GENERAL_MERCHANDISE", "GENERAL_MERCHANDISE_OTHER_GENERAL_MERCHANDISE"];
  const inflow = t.amount_cents > 0;
  return {
    account_id: t.account_id,
    account_owner: null,
    amount: money(-t.amount_cents),
    iso_currency_code: t.currency,
    unofficial_currency_code: null,
    category: [primary.charAt(0) + primary.slice(1).toLowerCase().replaceAll("_", " ")],
    category_id: null,
    check_number: null,
    counterparties: t.merchant_name
      ? [{ name: t.merchant_name, type: "merchant", logo_url: null, website: null, entity_id: null, confidence_level: "HIGH" }]
      : [],
    date: t.date,
    datetime: null,
    authorized_date: t.authorized_date,
    authorized_datetime: null,
    location: { address: null, city: null, region: null, postal_code: null, country: null, lat: null, lon: null, store_number: null },
    logo_url: null,
    merchant_entity_id: null,
    merchant_name: t.merchant_name,
    name: t.description,
    original_description: null,
    payment_channel: t.type === "card" ? "in store" : "other",
    payment_meta: { by_order_of: null, payee: null, payer: inflow ? t.counterparty : null, payment_method: null, payment_processor: null, ppd_id: null, reason: null, reference_number: null },
    pending: t.pending,
    pending_transaction_id: t.pending_transaction_id,
    personal_finance_category: { primary: inflow && primary === "TRANSFER_OUT" ? "TRANSFER_IN" : primary, detailed: inflow && primary === "TRANSFER_OUT" ? "TRANSFER_IN_ACCOUNT_TRANSFER" : detailed, confidence_level: "VERY_HIGH" },
    personal_finance_category_icon_url: `https://plaid-category-icons.plaid.com/PFC_${primary}.png`,
    transaction_code: null,
    transaction_id: t.transaction_id,
    transaction_type: t.type === "card" ? "place" : "special",
    website: null,
  };
}

export function plaidAccounts(ledger: Ledger, nowIso: string) {
  const balances = balancesOf(ledger);
  return ledger.accounts.map((a: DemoAccount) => {
    const b = balances.get(a.account_id)!;
    const credit = a.type === "credit";
    return {
      account_id: a.account_id,
      balances: {
        // Plaid reports what is owed on credit accounts as a positive current balance.
        available: money(b.available),
        current: credit ? money(-b.current) : money(b.current),
        limit: b.limit === null ? null : money(b.limit),
        iso_currency_code: a.currency,
        unofficial_currency_code: null,
        last_updated_datetime: nowIso,
      },
      mask: a.mask,
      name: a.name,
      official_name: a.official_name,
      persistent_account_id: `pers-${a.account_id}`,
      subtype: a.subtype,
      type: a.type,
      holder_category: "personal",
    };
  });
}
