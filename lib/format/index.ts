/**
 * THE formatter module: every screen renders money, dates and account types through
 * these functions, so a date reads "Mar 4, 2025" and a savings account reads
 * "Savings" everywhere. Calendar dates (YYYY-MM-DD) are rendered as written, never
 * shifted by a time zone; instants (timestamps) use the same "Mar 4, 2025" date
 * followed by the time.
 */
import { formatDate as formatCalendarDate, formatMoney, isNegative } from "./money";

export { formatMoney, isNegative };

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;

const parts = (iso: string) => {
  const [y, m, d] = iso.slice(0, 10).split("-").map(Number) as [number, number, number];
  return { y, m, d };
};

/** A calendar date: "Mar 4, 2025". */
export function formatDate(isoDate: string): string {
  return formatCalendarDate(isoDate.slice(0, 10));
}

/** An instant: "Mar 4, 2025, 14:05" (24-hour clock, the server's local time zone). */
export function formatDateTime(d: Date | null | undefined): string {
  if (!d) return "—";
  const time = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(d);
  const pad = (n: number) => String(n).padStart(2, "0");
  const local = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return `${formatDate(local)}, ${time}`;
}

/** "Mar 2025". */
export function formatMonth(isoDate: string): string {
  const { y, m } = parts(isoDate);
  return `${MONTHS[m - 1]} ${y}`;
}

/** "Mar 4". */
export function formatDayMonth(isoDate: string): string {
  const { m, d } = parts(isoDate);
  return `${MONTHS[m - 1]} ${d}`;
}

/** "Q1 2025" for a quarter starting on `isoDate`. */
export function formatQuarter(isoDate: string): string {
  const { y, m } = parts(isoDate);
  return `Q${Math.floor((m - 1) / 3) + 1} ${y}`;
}

/** A date range, shortest readable form: "Mar 4 – 10, 2025", "Mar 28 – Apr 3, 2025", "Dec 30, 2024 – Jan 5, 2025". */
export function formatDateRange(from: string, to: string): string {
  if (from === to) return formatDate(from);
  const a = parts(from);
  const b = parts(to);
  if (a.y !== b.y) return `${formatDate(from)} – ${formatDate(to)}`;
  if (a.m !== b.m) return `${formatDayMonth(from)} – ${formatDayMonth(to)}, ${b.y}`;
  return `${formatDayMonth(from)} – ${b.d}, ${b.y}`;
}

const ACCOUNT_TYPE_LABELS: Record<string, string> = {
  checking: "Checking",
  savings: "Savings",
  "money market": "Money market",
  cd: "Certificate of deposit",
  "credit card": "Credit card",
  credit: "Credit card",
  depository: "Bank account",
  investment: "Investment",
  brokerage: "Brokerage",
  loan: "Loan",
  mortgage: "Mortgage",
  student: "Student loan",
  auto: "Auto loan",
  other: "Other",
};

/**
 * The one label for an account's type: its subtype when it has one ("savings" →
 * "Savings", "credit card" → "Credit card"), else its type; unknown values are shown
 * capitalised with underscores as spaces.
 */
export function accountTypeLabel(type: string | null | undefined, subtype?: string | null): string {
  const raw = (subtype || type || "").trim();
  if (!raw) return "Account";
  const key = raw.toLowerCase().replace(/_/g, " ");
  return ACCOUNT_TYPE_LABELS[key] ?? key.charAt(0).toUpperCase() + key.slice(1);
}

const PROVIDER_LABELS: Record<string, string> = {
  demo: "Demo Bank",
  plaid: "Plaid",
  teller: "Teller",
  finqware: "PSD2 consent (Finqware)",
  simplefin: "SimpleFIN Bridge",
  ebank: "web banking login",
  file: "statement files",
};

/** Who a connection goes through, for "via Plaid". */
export function providerLabel(connectorId: string): string {
  return PROVIDER_LABELS[connectorId] ?? connectorId;
}
