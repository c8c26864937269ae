import { after } from "next/server";
import { getDb } from "@/db";
import type { SyncTrigger } from "@/db/schema";
import { log } from "@/lib/log";
import { syncConnection } from "./engine";

/**
 * Run a sync after the current response is sent (webhooks must answer fast). Duplicate
 * requests for a connection already queued in this process are dropped; across
 * processes the engine's lease makes a concurrent second run return "already_syncing".
 * (A Postgres-backed job queue for many workers is the next step; see ARCHITECTURE.md.)
 */
const queued = new Set<string>();

export function enqueueSync(job: { userId: string; connectionId: string; trigger: SyncTrigger }): boolean {
  if (queued.has(job.connectionId)) return false;
  queued.add(job.connectionId);
  after(async () => {
    try {
      const r = await syncConnection(await getDb(), job);
      log.info("queued sync finished", { connectionId: job.connectionId, status: r.status });
    } catch (e) {
      log.error("queued sync failed", { connectionId: job.connectionId, error: e });
    } finally {
      queued.delete(job.connectionId);
    }
  });
  return true;
}
