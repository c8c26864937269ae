import { and, asc, inArray, isNull, lte, or, lt } from "drizzle-orm";
import type { Db } from "@/db/client";
import { connections } from "@/db/schema";
import { log } from "@/lib/log";
import { syncConnection, type SyncDeps, type SyncResult } from "./engine";

/**
 * Scheduled refresh: every connection whose next_sync_at has passed (and that does not
 * wait for the user, i.e. not reauth_required or disconnected) goes through the same
 * engine entry point. Runs are sequential per call; the engine's lease keeps several
 * schedulers (processes, machines) from syncing one connection twice.
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

const g = globalThis as unknown as { __ledgerlinkScheduler?: NodeJS.Timeout };

/** In-process scheduler for the single-process (embedded) setup: checks once a minute. */
export function startScheduler(getDb: () => Promise<Db>, everyMs = 60_000): void {
  if (g.__ledgerlinkScheduler) return;
  let running = false;
  g.__ledgerlinkScheduler = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      await runDueSyncs(await getDb());
    } catch (e) {
      log.error("scheduler tick failed", { error: e });
    } finally {
      running = false;
    }
  }, everyMs);
  g.__ledgerlinkScheduler.unref();
}
