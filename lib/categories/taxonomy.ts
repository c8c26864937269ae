/**
 * One category vocabulary for every source: a small two-level taxonomy (groups → categories),
 * modelled on Plaid's personal-finance categories but with names people use. Every
 * connector's normaliser maps its provider's categories onto it with `canonicalCategory`, so
 * "Restaurants" (demo), "dining" (Teller), FOOD_AND_DRINK_RESTAURANT and DINING_DINING (Plaid)
 * all land in one category. Users may still create their own (see the category picker).
 */
export const TAXONOMY = [
  { group: "Income", categories: ["Salary", "Interest", "Other income"] },
  { group: "Transfers", categories: ["Transfer", "Credit card payment", "Loan payment", "Savings & investments", "Cash"] },
  { group: "Housing", categories: ["Rent", "Mortgage", "Home & garden"] },
  { group: "Bills", categories: ["Utilities", "Phone & internet", "Insurance", "Subscriptions"] },
  { group: "Food & drink", categories: ["Groceries", "Restaurants", "Coffee", "Bars"] },
  { group: "Transport", categories: ["Transport", "Fuel", "Parking & tolls", "Car"] },
  { group: "Travel", categories: ["Flights", "Lodging", "Travel"] },
  { group: "Shopping", categories: ["Shopping", "Clothing", "Electronics"] },
  { group: "Health", categories: ["Medical", "Pharmacy", "Fitness", "Personal care"] },
  { group: "Leisure", categories: ["Entertainment", "News & media", "Software"] },
  { group: "Obligations", categories: ["Taxes", "Charity", "Education", "Childcare", "Pets"] },
  { group: "Fees", categories: ["Fees"] },
  { group: "Other", categories: ["Other"] },
] as const;

export type CategoryGroup = (typeof TAXONOMY)[number]["group"];
export type CanonicalCategory = (typeof TAXONOMY)[number]["categories"][number];

export const CANONICAL_CATEGORIES: readonly CanonicalCategory[] = TAXONOMY.flatMap((g) => g.categories);
const GROUP_OF = new Map<string, CategoryGroup>(TAXONOMY.flatMap((g) => g.categories.map((c) => [c.toLowerCase(), g.group] as const)));

/** The group a category belongs to, or null for a user's own category. */
export function categoryGroup(category: string): CategoryGroup | null {
  return GROUP_OF.get(category.toLowerCase()) ?? null;
}

export function isCanonical(category: string): boolean {
  return GROUP_OF.has(category.toLowerCase());
}

/**
 * Ordered keyword rules over a provider's category label, upper-cased with every run of
 * non-letters turned into one space. First match wins, so the specific ones come first
 * (FAST FOOD before FOOD, CREDIT CARD PAYMENT before PAYMENT). Words are matched whole.
 */
const RULES: [RegExp, CanonicalCategory][] = [
  [/\b(CREDIT CARD PAYMENT|CREDIT CARD)\b/, "Credit card payment"],
  [/\b(MORTGAGE)\b/, "Mortgage"],
  [/\b(LOAN PAYMENTS?|LOANS?|STUDENT LOAN|CAR PAYMENT)\b/, "Loan payment"],
  [/\b(BANK FEES|FEES?|OVERDRAFT|ATM FEES|FOREIGN TRANSACTION)\b/, "Fees"],
  [/\b(WAGES?|SALARY|PAYROLL|GEHALT)\b/, "Salary"],
  [/\b(INTEREST EARNED|INTEREST|DIVIDENDS?)\b/, "Interest"],
  [/\b(ATM|WITHDRAWAL|CASH)\b/, "Cash"],
  [/\b(INVESTMENT|INVESTMENTS|SAVINGS|RETIREMENT)\b/, "Savings & investments"],
  [/\b(TRANSFER IN|TRANSFER OUT|TRANSFERS?|ACCOUNT TRANSFER)\b/, "Transfer"],
  [/\b(INCOME|REFUND|TAX REFUND|UNEMPLOYMENT|BENEFITS?)\b/, "Other income"],
  [/\b(CHARITY|DONATIONS?)\b/, "Charity"],
  [/\b(TAX|TAXES|GOVERNMENT)\b/, "Taxes"],
  [/\b(GROCERIES|GROCERY|SUPERMARKETS?|FOOD RETAIL)\b/, "Groceries"],
  [/\b(COFFEE)\b/, "Coffee"],
  [/\b(BEER WINE AND LIQUOR|BARS?|ALCOHOL|LIQUOR)\b/, "Bars"],
  [/\b(RESTAURANTS?|DINING|FAST FOOD|FOOD AND DRINK|FOOD DRINK|FOOD|TAKEAWAY|VENDING)\b/, "Restaurants"],
  [/\b(RENT)\b/, "Rent"],
  [/\b(HOME IMPROVEMENT|FURNITURE AND HARDWARE|FURNITURE|HARDWARE|HOME|GARDEN|HOUSING)\b/, "Home & garden"],
  [/\b(GAS AND ELECTRICITY|ELECTRICITY|WATER|UTILITIES|UTILITY|SEWAGE AND WASTE MANAGEMENT)\b/, "Utilities"],
  [/\b(TELEPHONE|PHONE|INTERNET AND CABLE|INTERNET|CABLE|MOBILE)\b/, "Phone & internet"],
  [/\b(INSURANCE)\b/, "Insurance"],
  [/\b(SUBSCRIPTIONS?)\b/, "Subscriptions"],
  [/\b(GAS STATIONS|GAS|FUEL|PETROL)\b/, "Fuel"],
  [/\b(PARKING|TOLLS)\b/, "Parking & tolls"],
  [/\b(TAXIS AND RIDE SHARES|TAXIS?|RIDE SHARES?|RIDESHARE|CAR SERVICE|PUBLIC TRANSIT|TRANSPORTATION|TRANSPORT|BIKES AND SCOOTERS)\b/, "Transport"],
  [/\b(AUTOMOTIVE|CAR|CAR DEALERS AND LEASING)\b/, "Car"],
  [/\b(FLIGHTS?|AIRLINES?)\b/, "Flights"],
  [/\b(LODGING|HOTELS?|ACCOMMODATION)\b/, "Lodging"],
  [/\b(TRAVEL)\b/, "Travel"],
  [/\b(CLOTHING AND ACCESSORIES|CLOTHING|APPAREL)\b/, "Clothing"],
  [/\b(ELECTRONICS)\b/, "Electronics"],
  [/\b(PHARMACIES AND SUPPLEMENTS|PHARMACY|PHARMACIES|DRUGSTORE)\b/, "Pharmacy"],
  [/\b(GYMS AND FITNESS CENTERS|FITNESS|SPORT|SPORTS|SPORTING GOODS)\b/, "Fitness"],
  [/\b(MEDICAL|HEALTH|HEALTHCARE|DENTAL CARE|EYE CARE|DOCTOR|HOSPITAL)\b/, "Medical"],
  [/\b(PERSONAL CARE|HAIR AND BEAUTY|LAUNDRY AND DRY CLEANING)\b/, "Personal care"],
  [/\b(NEWS|NEWSPAPERS?|MAGAZINES?)\b/, "News & media"],
  [/\b(SOFTWARE|DIGITAL PURCHASE)\b/, "Software"],
  [/\b(ENTERTAINMENT|TV AND MOVIES|MUSIC AND AUDIO|VIDEO GAMES|CASINOS AND GAMBLING|SPORTING EVENTS AMUSEMENT PARKS AND MUSEUMS)\b/, "Entertainment"],
  [/\b(EDUCATION)\b/, "Education"],
  [/\b(CHILDCARE)\b/, "Childcare"],
  [/\b(PET SUPPLIES|PETS?|VETERINARY)\b/, "Pets"],
  [/\b(GENERAL MERCHANDISE|SHOPPING|SHOPS|BICYCLES|SUPERSTORES|ONLINE MARKETPLACES|DISCOUNT STORES|DEPARTMENT STORES|GIFTS AND NOVELTIES|OFFICE SUPPLIES|OFFICE|BOOKSTORES AND NEWSSTANDS|CONVENIENCE STORES|TOBACCO AND VAPE)\b/, "Shopping"],
  [/\b(SERVICE|SERVICES|GENERAL SERVICES|ADVERTISING|CONSULTING|POSTAGE AND SHIPPING|STORAGE)\b/, "Other"],
  [/\b(GENERAL|OTHER|MISCELLANEOUS|UNCATEGORI[SZ]ED)\b/, "Other"],
];

/**
 * A provider's category label(s) → the canonical category, most specific label first
 * (e.g. Plaid's detailed code, then its primary). An exact taxonomy name is kept as is;
 * a label nothing matches becomes "Other" (the provider's own label stays in `raw`);
 * no label at all stays null (uncategorised).
 */
export function canonicalCategory(...labels: (string | null | undefined)[]): CanonicalCategory | null {
  const given = labels.filter((l): l is string => typeof l === "string" && l.trim() !== "");
  if (!given.length) return null;
  // Per label, most specific first: an exact taxonomy name, else the first keyword rule. A
  // label that only says "other"/"general" (Plaid's INCOME_OTHER → OTHER) defers to the
  // next, broader label (INCOME → Other income).
  for (const label of given) {
    const exact = CANONICAL_CATEGORIES.find((c) => c.toLowerCase() === label.trim().toLowerCase());
    if (exact && exact !== "Other") return exact;
    const key = ` ${label.toUpperCase().replace(/[^A-Z]+/g, " ").trim()} `;
    const hit = RULES.find(([re]) => re.test(key));
    if (hit && hit[1] !== "Other") return hit[1];
  }
  return "Other";
}
