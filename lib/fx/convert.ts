/**
 * Exact currency conversion on decimal strings (BigInt, never floats).
 *
 * Rates are ECB reference rates: units of a currency per 1 EUR. A cross rate goes
 * through EUR: amount × (per-EUR of the target) ÷ (per-EUR of the source).
 *
 * ROUNDING RULE (the same in SQL, see lib/fx/sql.ts): every converted amount is
 * rounded once, to the target currency's minor units (ISO 4217: cents for USD/EUR,
 * whole yen for JPY, thousandths for BHD), half away from zero, from the exact
 * quotient; sums add the rounded amounts. Amounts already in the target currency are
 * not converted and keep their own precision.
 */
import { minorUnits, roundHalfAway } from "@/lib/money/currency";
import { canonical, fromUnits, isDecimal, toUnits } from "@/lib/money/decimal";

export const RATE_SCALE = 6;
const AMOUNT_SCALE = 4;

/**
 * `amount` (up to 4 decimals) from a currency quoted at `fromPerEur` to `toCurrency`, quoted
 * at `toPerEur`, rounded to `toCurrency`'s minor units.
 */
export function convertAmount(amount: string, fromPerEur: string, toPerEur: string, toCurrency: string): string {
  const a = toUnits(amount, AMOUNT_SCALE);
  const f = toUnits(fromPerEur, RATE_SCALE);
  const t = toUnits(toPerEur, RATE_SCALE);
  if (f <= 0n || t <= 0n) throw new Error("rates must be positive");
  const digits = minorUnits(toCurrency);
  // a/10^4 × (t/10^6) ÷ (f/10^6) × 10^digits minor units = a·t·10^digits / (f·10^4)
  return fromUnits(roundHalfAway(a * t * 10n ** BigInt(digits), f * 10n ** BigInt(AMOUNT_SCALE)), digits);
}

/** Units of the target per 1 unit of the source (for display), to `digits` decimals, half away from zero. */
export function crossRate(fromPerEur: string, toPerEur: string, digits = 6): string {
  const f = toUnits(fromPerEur, RATE_SCALE);
  const t = toUnits(toPerEur, RATE_SCALE);
  return canonical(fromUnits(roundHalfAway(t * 10n ** BigInt(digits), f), digits));
}

/** Exact sum of decimal strings (any scale up to 4), returned with `scale` decimals. */
export function sumDecimals(values: readonly string[], scale = 2): string {
  let s = 0n;
  for (const v of values) s += toUnits(v, AMOUNT_SCALE);
  return fromUnits(roundHalfAway(s, 10n ** BigInt(AMOUNT_SCALE - scale)), scale);
}

/** ISO 4217-shaped code (three capitals). */
export function isCurrencyCode(s: string): boolean {
  return /^[A-Z]{3}$/.test(s);
}

export { isDecimal };
