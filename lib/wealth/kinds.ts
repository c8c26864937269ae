import { MANUAL_ASSET_KINDS, MANUAL_KINDS, MANUAL_LIABILITY_KINDS, type ManualKind } from "@/db/schema/wealth";

export { MANUAL_ASSET_KINDS, MANUAL_KINDS, MANUAL_LIABILITY_KINDS, type ManualKind };

export const KIND_LABELS: Record<ManualKind, string> = {
  cash: "Cash",
  property: "Property",
  vehicle: "Vehicle",
  investment: "Investment",
  crypto: "Crypto",
  other_asset: "Other asset",
  loan: "Loan",
  mortgage: "Mortgage",
  other_liability: "Other liability",
};

export const isLiabilityKind = (k: string) => (MANUAL_LIABILITY_KINDS as readonly string[]).includes(k);

/** Asset-type bucket of an account for the distribution (linked accounts by their provider type). */
export const ASSET_TYPE_LABELS: Record<string, string> = {
  cash: "Cash",
  investments: "Investments",
  property: "Property",
  vehicles: "Vehicles",
  crypto: "Crypto",
  other_assets: "Other assets",
  credit: "Credit cards",
  loans: "Loans",
  mortgages: "Mortgages",
  other_liabilities: "Other liabilities",
};

export function assetTypeOf(source: "linked" | "manual", kind: string): keyof typeof ASSET_TYPE_LABELS {
  if (source === "linked")
    return kind === "depository" ? "cash" : kind === "investment" ? "investments" : kind === "credit" ? "credit" : kind === "loan" ? "loans" : "other_assets";
  const map: Record<ManualKind, keyof typeof ASSET_TYPE_LABELS> = {
    cash: "cash",
    property: "property",
    vehicle: "vehicles",
    investment: "investments",
    crypto: "crypto",
    other_asset: "other_assets",
    loan: "loans",
    mortgage: "mortgages",
    other_liability: "other_liabilities",
  };
  return map[kind as ManualKind] ?? "other_assets";
}

/** Currencies the ECB quotes (and EUR): the ones a manual account can be kept in. */
export const KNOWN_CURRENCIES = [
  "EUR", "USD", "JPY", "BGN", "CZK", "DKK", "GBP", "HUF", "PLN", "RON", "SEK", "CHF", "ISK", "NOK", "TRY",
  "AUD", "BRL", "CAD", "CNY", "HKD", "IDR", "ILS", "INR", "KRW", "MXN", "MYR", "NZD", "PHP", "SGD", "THB", "ZAR",
] as const;
