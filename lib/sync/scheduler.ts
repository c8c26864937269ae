import { and, asc, eq, inArray, isNull, lte, or, lt } from "drizzle-orm";
import type { Db } from "@/db/client";
import { connections } from "@/db/schema";
import { isScheduled } from "@/lib/connectors/contract";
import { connectorOrNull } from "@/lib/connectors/registry";
import { log } from "@/lib/log";
import { syncConnection, type SyncDeps, type SyncResult } from "./engine";

/**
 * Scheduled refresh: every connection whose next_sync_at has passed (and that does not
 * wait for the user: not reauth_required or disconnected, and not a manual or interactive
 * source) goes through the same
 * engine entry point. Runs are sequential per call. The app itself schedules through the job
 * queue (lib/jobs: sync.due claims with SKIP LOCKED); this inline variant is for tools and tests.
 */
export async function runDueSyncs(db: Db, opts: { now?: Date; limit?: number; deps?: SyncDeps } = {}): Promise<SyncResult[]> {
  const now = opts.now ?? new Date();
  const due = await db
    .select({ id: connections.id, userId: connections.userId, connectorId: connections.connectorId })
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
    // Manual and interactive sources wait for the user (capabilities.schedule).
    const connector = opts.deps?.connector ?? connectorOrNull(c.connectorId);
    if (connector && !isScheduled(connector)) {
      await db.update(connections).set({ nextSyncAt: null }).where(eq(connections.id, c.id));
      continue;
    }
    try {
      results.push(await syncConnection(db, { userId: c.userId, connectionId: c.id, trigger: "scheduled" }, opts.deps));
    } catch (e) {
      log.error("scheduled sync failed to start", { connectionId: c.id, error: e });
    }
  }
  return results;
}
