import type { Db } from "@/db/client";
import { refreshEcbRates, type FxRefreshResult } from "@/lib/fx/fetch";
import { log } from "@/lib/log";

/**
 * The `fx.refresh` job: fetch the ECB's 90-day feed and load it (an idempotent upsert;
 * converted aggregates from the first changed day on are marked stale by the load).
 * Offline or on a bad answer nothing changes and the last known rates are carried
 * forward; the next scheduled run tries again.
 */

/** Every 6 hours, UTC (the ECB publishes around 16:00 CET on business days). */
export const FX_REFRESH_CRON = "17 */6 * * *";

export async function runFxRefreshJob(db: Db, opts: { url?: string; timeoutMs?: number; fetch?: typeof fetch } = {}): Promise<FxRefreshResult> {
  const r = await refreshEcbRates(db, opts);
  if (r.status === "failed") log.warn("ECB rates not refreshed; the last known rates are carried forward", { reason: r.reason });
  else log.info("ECB rates refreshed", { rates: r.rates, lastDate: r.lastDate });
  return r;
}
