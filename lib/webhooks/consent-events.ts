import { addDaysToInstant, millisecondsInDay } from "@/lib/dates";
import { and, gt, isNotNull, lte, ne } from "drizzle-orm";
import type { Db } from "@/db/client";
import { connections } from "@/db/schema";
import type { JobQueue } from "@/lib/jobs/queue";
import { log } from "@/lib/log";
import { emitEvent } from "./events";

/** Days before a consent ends at which `consent.expiring` is sent (once each). */
export const CONSENT_EXPIRING_THRESHOLDS_DAYS = [7, 1] as const;

/**
 * `consent.expiring` for every consent that ends within 7 days: once when it enters the
 * 7-day window and once more inside the last day — never twice for the same consent and
 * threshold (a renewed consent has a new end date, so it is warned about again). A consent
 * first seen inside the last day gets only the 1-day event. Run daily (and at start).
 */
export async function emitConsentExpiring(db: Db, { now = new Date(), jobs }: { now?: Date; jobs?: JobQueue | null } = {}): Promise<{ emitted: number }> {
  const widest = Math.max(...CONSENT_EXPIRING_THRESHOLDS_DAYS);
  const rows = await db
    .select({
      id: connections.id,
      userId: connections.userId,
      name: connections.displayName,
      connectorId: connections.connectorId,
      expiresAt: connections.consentExpiresAt,
    })
    .from(connections)
    .where(and(ne(connections.status, "disconnected"), isNotNull(connections.consentExpiresAt), gt(connections.consentExpiresAt, now), lte(connections.consentExpiresAt, addDaysToInstant(now, widest))));
  let emitted = 0;
  for (const c of rows) {
    const left = c.expiresAt!.getTime() - now.getTime();
    // The tightest threshold this consent is inside (the 1-day one supersedes the 7-day one).
    const threshold = [...CONSENT_EXPIRING_THRESHOLDS_DAYS].sort((a, b) => a - b).find((d) => left <= d * millisecondsInDay)!;
    try {
      const r = await emitEvent(db, {
        userId: c.userId,
        type: "consent.expiring",
        now,
        jobs,
        dedupeKey: `consent.expiring:${c.id}:${c.expiresAt!.toISOString()}:${threshold}d`,
        data: {
          connection_id: c.id,
          connection_name: c.name,
          provider: c.connectorId,
          consent_expires_at: c.expiresAt!.toISOString(),
          days_left: Math.ceil(left / millisecondsInDay),
          threshold_days: threshold,
          renew: `/connections`,
        },
      });
      if (!r.duplicate) emitted++;
    } catch (e) {
      log.error("could not record consent.expiring", { connectionId: c.id, error: e });
    }
  }
  return { emitted };
}
