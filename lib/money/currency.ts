/**
 * A currency's minor units (ISO 4217 "E" column): how many decimals an amount in it has.
 * Formatting, export and conversion all read it from here: ¥1,235 (no decimals),
 * $12.34, BD 1.234. Codes not listed have 2, like most currencies.
 */
import { canonical, fromUnits, toUnits } from "./decimal";

const MINOR_UNITS: Record<string, number> = {
  // no minor unit
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  // thousandths
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  // ten-thousandths (units of account)
  CLF: 4, UYW: 4,
};

/** Decimals of an amount in `currency` (ISO 4217); 2 for a code not in the table. */
export function minorUnits(currency: string): number {
  return MINOR_UNITS[currency.toUpperCase()] ?? 2;
}

/** The codes whose minor units are not 2, grouped by their number of decimals. */
export function currenciesByMinorUnits(): Record<number, string[]> {
  const out: Record<number, string[]> = {};
  for (const [code, digits] of Object.entries(MINOR_UNITS)) (out[digits] ??= []).push(code);
  return out;
}

/** Half away from zero of n/d (d > 0), as an integer. */
export function roundHalfAway(n: bigint, d: bigint): bigint {
  const neg = n < 0n;
  const a = neg ? -n : n;
  const q = (2n * a + d) / (2n * d);
  return neg ? -q : q;
}

/**
 * An exact amount written with the currency's decimals, for files (CSV, OFX): trailing
 * zeros are padded or trimmed down to the minor units, never a significant digit
 * ("1234.0000" JPY → "1234", "12.3" USD → "12.30", "1.2340" BHD → "1.234",
 * "0.1234" USD stays "0.1234": an export does not round away what the bank sent).
 */
export function fixedForCurrency(amount: string, currency: string): string {
  const c = canonical(amount);
  const digits = minorUnits(currency);
  const dot = c.indexOf(".");
  const frac = dot < 0 ? 0 : c.length - dot - 1;
  if (frac >= digits) return c;
  return fromUnits(toUnits(c, digits), digits);
}

/** An amount rounded to the currency's minor units, half away from zero ("1234.5" JPY → "1235"). */
export function roundToMinorUnits(amount: string, currency: string): string {
  const c = canonical(amount);
  const digits = minorUnits(currency);
  const dot = c.indexOf(".");
  const frac = dot < 0 ? 0 : c.length - dot - 1;
  if (frac <= digits) return fromUnits(toUnits(c, digits), digits);
  return fromUnits(roundHalfAway(toUnits(c, frac), 10n ** BigInt(frac - digits)), digits);
}

/**
 * Why an amount a person typed has more decimals than its currency has (a JPY amount with
 * cents, a USD amount with a third decimal), or null when it fits. Trailing zeros don't
 * count ("1200.00" JPY is ¥1,200).
 */
export function tooManyDecimals(amount: string, currency: string, label = "The amount"): string | null {
  const c = canonical(amount);
  const dot = c.indexOf(".");
  const frac = dot < 0 ? 0 : c.length - dot - 1;
  const digits = minorUnits(currency);
  if (frac <= digits) return null;
  const code = currency.toUpperCase();
  return digits === 0 ? `${label} can't have decimals: ${code} has no minor unit.` : `${label} can have at most ${digits} decimals in ${code}.`;
}
