"use server";

import { and, eq } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { auditLog, connections, syncRuns } from "@/db/schema";
import { runSummary } from "@/lib/connections/summary";
import { AppError } from "@/lib/errors";
import { followSync, queueSync } from "@/lib/jobs/app";
import { connectorOrNull } from "@/lib/connectors/registry";
import { manualRefreshBlock } from "@/lib/sync/budget";
import { authedAction } from "./safe-action";

const schema = z.object({
  connectionId: z.uuid({ error: "Unknown connection." }),
  initial: z.boolean().optional(),
  /** Follow a sync the server already queued (link, reconnect, consent) instead of queueing another. */
  jobId: z.uuid().optional(),
});

export type RefreshResult = { outcome: "success" | "already_syncing" | "error" | "queued"; summary: string; code?: string; jobId?: string };

/**
 * "Refresh now" (and following the first import): the sync runs as a job on a worker;
 * this waits a bounded time for it to report a result, otherwise says it continues in
 * the background (progress and history keep showing it).
 */
export const refreshConnectionAction = authedAction(schema, async (input, { db, user }): Promise<RefreshResult> => {
  const [conn] = await db
    .select({ id: connections.id, status: connections.status })
    .from(connections)
    .where(and(eq(connections.id, input.connectionId), eq(connections.userId, user.id)));
  if (!conn) throw new AppError("not_found", "That connection does not exist.");
  if (conn.status === "disconnected") throw new AppError("invalid_request", "This connection is disconnected. Link the bank again to sync.");
  if (!input.jobId) {
    // A daily limit applies (PSD2 refreshes, SimpleFIN requests): refuse here, no run queued, no skipped row.
    const block = await manualRefreshBlock(db, { userId: user.id, connectionId: conn.id }, connectorOrNull);
    if (block) throw new AppError("rate_limited", block.message);
  }
  const jobId = input.jobId ?? (await queueSync({ userId: user.id, connectionId: conn.id, trigger: input.initial ? "initial" : "manual" }));
  if (!input.jobId && !input.initial) await db.insert(auditLog).values({ userId: user.id, action: "connection.refreshed", targetType: "connection", targetId: conn.id });
  if (!jobId) return { outcome: "queued", summary: "The sync is queued." };
  const r = await followSync({ userId: user.id, connectionId: conn.id, jobId });
  revalidatePath("/", "layout");
  if (r.state === "unknown") throw new AppError("not_found", "That sync does not exist.");
  if (r.state === "running") return { outcome: "queued", jobId, summary: "The sync continues in the background; this page shows it when it finishes." };
  const out = r.output;
  if (!out || r.failed) return { outcome: "error", jobId, summary: "The sync failed on our side. It will be retried." };
  if (out.outcome === "deferred") {
    const when = new Date(out.until).toISOString().slice(0, 16).replace("T", " ");
    return { outcome: "queued", jobId, code: "rate_limited", summary: `The provider allows the next refresh after ${when} UTC; it is scheduled then.` };
  }
  if (out.outcome === "success" && out.runId) {
    const [run] = await db.select().from(syncRuns).where(and(eq(syncRuns.id, out.runId), eq(syncRuns.userId, user.id)));
    return { outcome: "success", jobId, summary: run ? runSummary(run) : "Sync finished." };
  }
  if (out.outcome === "skipped") return { outcome: "error", jobId, code: out.code, summary: out.message ?? "Nothing to sync." };
  return { outcome: "error", jobId, code: out.code, summary: out.message ?? "The sync failed." };
});
