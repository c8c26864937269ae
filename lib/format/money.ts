import { minorUnits, roundToMinorUnits } from "@/lib/money/currency";

/**
 * Money formatting from decimal strings — no float arithmetic on amounts. The amount is
 * rounded exactly to the currency's minor units (ISO 4217: ¥1,235, $12.35, BHD 1.235),
 * half away from zero; Intl then only renders the digits and the currency symbol.
 */
export function formatMoney(amount: string | null | undefined, currency: string, opts: { signed?: boolean } = {}): string {
  if (amount === null || amount === undefined) return "—";
  const digits = minorUnits(currency);
  const fmt = new Intl.NumberFormat("en-US", {
    style: "currency",
    currency,
    signDisplay: opts.signed ? "exceptZero" : "auto",
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  const exact = /^-?\d+(\.\d+)?$/.test(amount.trim()) ? roundToMinorUnits(amount.trim(), currency) : amount;
  return fmt.format(exact as unknown as number);
}

export function isNegative(amount: string | null | undefined): boolean {
  return typeof amount === "string" && amount.trim().startsWith("-") && !/^-0*(\.0*)?$/.test(amount.trim());
}

/** A plain YYYY-MM-DD date rendered as written (never shifted by the viewer's time zone). */
export function formatDate(isoDate: string): string {
  const [y, m, d] = isoDate.split("-").map(Number) as [number, number, number];
  return new Intl.DateTimeFormat("en-US", { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" }).format(
    new Date(Date.UTC(y, m - 1, d)),
  );
}
