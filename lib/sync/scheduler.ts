import { and, asc, inArray, isNull, lte, or, lt } from "drizzle-orm";
import type { Db } from "@/db/client";
import { connections } from "@/db/schema";
import { log } from "@/lib/log";
import { syncConnection, type SyncDeps, type SyncResult } from "./engine";

/**
 * Scheduled refresh: every connection whose next_sync_at has passed (and that does not
 * wait for the user, i.e. not reauth_required or disconnected) goes through the same
 * engine entry point. Runs are sequential per call. The app itself schedules through the job
 * queue (lib/jobs: sync.due claims with SKIP LOCKED); this inline variant is for tools and tests.
 */
export async function runDueSyncs(db: Db, opts: { now?: Date; limit?: number; deps?: SyncDeps } = {}): Promise<SyncResult[]> {
  const now = opts.now ?? new Date();
  const due = await db
    .select({ id: connections.id, userId: connections.userId })
    .from(connections)
    .where(
      and(
        inArray(connections.status, ["active", "error", "syncing"]),
        lte(connections.nextSyncAt, now),
        or(isNull(connections.lockedUntil), lt(connections.lockedUntil, now)),
      ),
    )
    .orderBy(asc(connections.nextSyncAt))
    .limit(opts.limit ?? 20);
  const results: SyncResult[] = [];
  for (const c of due) {
    try {
      results.push(await syncConnection(db, { userId: c.userId, connectionId: c.id, trigger: "scheduled" }, opts.deps));
    } catch (e) {
      log.error("scheduled sync failed to start", { connectionId: c.id, error: e });
    }
  }
  return results;
}
