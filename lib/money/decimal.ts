/**
 * Exact decimal helpers on strings (money never goes through floats).
 * canonical("-12.3400") === "-12.34", canonical("0.0") === "0".
 */
const DECIMAL = /^-?\d+(\.\d+)?$/;

export function isDecimal(s: string): boolean {
  return DECIMAL.test(s);
}

/** Already canonical: no leading zeros, no trailing fractional zeros, no "-0". */
const CANONICAL = /^(?!-0$)-?(?:0|[1-9]\d*)(?:\.\d*[1-9])?$/;

export function canonical(s: string): string {
  if (CANONICAL.test(s)) return s;
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
  const neg = c.charCodeAt(0) === 45;
  const dot = c.indexOf(".");
  const int = dot < 0 ? c.slice(neg ? 1 : 0) : c.slice(neg ? 1 : 0, dot);
  const frac = dot < 0 ? "" : c.slice(dot + 1);
  if (frac.length > scale) throw new Error(`more than ${scale} decimals: ${s}`);
  // one BigInt from the digits: int and padded fraction side by side
  const v = BigInt(int + frac.padEnd(scale, "0"));
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
