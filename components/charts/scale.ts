/**
 * Axis scaling for the charts: "nice" round ticks around the data (1, 2, 2.5, 5 × 10^k).
 * `zero: false` scales to the data (a net worth of 100k–110k is not drawn from 0);
 * bars always include 0.
 */
export function niceTicks(min: number, max: number, { count = 4, zero = true }: { count?: number; zero?: boolean } = {}): number[] {
  let lo = zero ? Math.min(0, min) : min;
  let hi = zero ? Math.max(0, max) : max;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.05 || 1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((s) => s * mag >= raw) ?? 10) * mag;
  const start = Math.floor(lo / step) * step;
  const end = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let v = start; v <= end + step / 2; v += step) ticks.push(Math.round(v / step) * step);
  return ticks;
}

/** Position of `v` in [lo, hi] as a percentage from the bottom. */
export const pct = (v: number, lo: number, hi: number) => (hi === lo ? 0 : ((v - lo) / (hi - lo)) * 100);
