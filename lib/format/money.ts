/**
 * Money formatting from decimal strings — no float arithmetic on amounts. Intl gets a
 * string (exact in modern engines) only to render digits and the currency symbol.
 */
export function formatMoney(amount: string | null | undefined, currency: string, opts: { signed?: boolean } = {}): string {
  if (amount === null || amount === undefined) return "—";
  const fmt = new Intl.NumberFormat("en-US", {
    style: "currency",
    currency,
    signDisplay: opts.signed ? "exceptZero" : "auto",
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  return fmt.format(amount as unknown as number);
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
