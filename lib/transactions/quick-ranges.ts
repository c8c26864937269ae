/**
 * Quick date ranges for the filter bar, computed from the viewer's own calendar day
 * (local date parts, never `toISOString()`, which would shift the day across time zones).
 */
const pad = (n: number) => String(n).padStart(2, "0");
export const localIsoDate = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

export function quickRanges(today: Date): { label: string; from: string; to: string }[] {
  const y = today.getFullYear();
  const m = today.getMonth();
  const to = localIsoDate(today);
  const ninety = new Date(y, m, today.getDate() - 89);
  const lastMonthStart = new Date(y, m - 1, 1);
  const lastMonthEnd = new Date(y, m, 0);
  return [
    { label: "This month", from: localIsoDate(new Date(y, m, 1)), to },
    { label: "Last month", from: localIsoDate(lastMonthStart), to: localIsoDate(lastMonthEnd) },
    { label: "Last 90 days", from: localIsoDate(ninety), to },
    { label: "This year", from: `${y}-01-01`, to },
  ];
}
