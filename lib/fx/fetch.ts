import type { Db } from "@/db/client";
import { parseEcbXml } from "./ecb";
import { loadRates } from "./rates";

/** The ECB's last 90 business days (the daily file is its first day). Source: ECB statistics. */
export const ECB_90D_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist-90d.xml";

export type FxRefreshResult = { status: "ok"; rates: number; lastDate: string } | { status: "failed"; reason: string };

/**
 * Fetch the ECB feed and load it (idempotent upsert + calendar-day rebuild). Offline or on
 * a bad answer nothing changes: conversions keep carrying the last known rate forward.
 */
export async function refreshEcbRates(db: Db, opts: { fetch?: typeof fetch; url?: string; timeoutMs?: number } = {}): Promise<FxRefreshResult> {
  const f = opts.fetch ?? fetch;
  try {
    const res = await f(opts.url ?? ECB_90D_URL, { signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000) });
    if (!res.ok) return { status: "failed", reason: `ECB answered ${res.status}` };
    const rates = parseEcbXml(await res.text());
    await loadRates(db, rates);
    return { status: "ok", rates: rates.length, lastDate: rates.reduce((m, r) => (r.date > m ? r.date : m), "") };
  } catch (e) {
    return { status: "failed", reason: e instanceof Error ? e.message : "unknown error" };
  }
}
