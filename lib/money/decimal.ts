/**
 * Exact decimal helpers on strings (money never goes through floats).
 * canonical("-12.3400") === "-12.34", canonical("0.0") === "0".
 */
const DECIMAL = /^-?\d+(\.\d+)?$/;

export function isDecimal(s: string): boolean {
  return DECIMAL.test(s);
}

export function canonical(s: string): string {
  if (!DECIMAL.test(s)) throw new Error(`not a decimal: ${JSON.stringify(s)}`);
  let neg = s.startsWith("-");
  let [int, frac = ""] = (neg ? s.slice(1) : s).split(".") as [string, string?];
  int = int.replace(/^0+(?=\d)/, "");
  frac = frac.replace(/0+$/, "");
  if (int === "0" && frac === "") neg = false;
  return `${neg ? "-" : ""}${int}${frac ? `.${frac}` : ""}`;
}

/** Integer minor units at a given scale (default 4, like numeric(19,4)). */
export function toUnits(s: string, scale = 4): bigint {
  const c = canonical(s);
  const neg = c.startsWith("-");
  const [int, frac = ""] = (neg ? c.slice(1) : c).split(".") as [string, string?];
  if (frac.length > scale) throw new Error(`more than ${scale} decimals: ${s}`);
  const v = BigInt(int) * 10n ** BigInt(scale) + BigInt(frac.padEnd(scale, "0") || "0");
  return neg ? -v : v;
}

export function fromUnits(v: bigint, scale = 2): string {
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const base = 10n ** BigInt(scale);
  const int = abs / base;
  const frac = (abs % base).toString().padStart(scale, "0");
  return `${neg ? "-" : ""}${int}${scale ? `.${frac}` : ""}`;
}
