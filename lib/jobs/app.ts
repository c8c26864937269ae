import { getDatabase } from "@/db";
import type { SyncTrigger } from "@/db/schema";
import { env } from "@/lib/env";
import { getJobs, requestConsentFinalize, requestSync, requestSyncRun, startInProcessWorker, waitForSync, workerOptionsFromEnv, type JobQueue, type QueuedSync, type SyncJobOutput } from "./index";

/**
 * The app's view of background work: the process-wide queue on the app database.
 * `LEDGERLINK_WORKER=off` makes this process web-only (it enqueues; workers elsewhere run).
 */
export function workerEnabled(): boolean {
  return process.env.LEDGERLINK_WORKER !== "off";
}

export function appJobs(): Promise<JobQueue> {
  return getJobs(getDatabase, { url: env().databaseUrl, supervise: workerEnabled() });
}

/** Start-up: the web process runs the worker in-process unless LEDGERLINK_WORKER=off. */
export async function startAppWorker(): Promise<boolean> {
  if (!workerEnabled()) {
    await appJobs();
    return false;
  }
  await startInProcessWorker(getDatabase, { url: env().databaseUrl, ...workerOptionsFromEnv() });
  return true;
}

/** Queue a sync of one of the user's connections; returns the job id. */
export async function queueSync(input: { userId: string; connectionId: string; trigger: SyncTrigger }): Promise<string | null> {
  return requestSync(await appJobs(), input);
}

/** Queue a sync (or join the waiting one) and answer the run id it will be recorded under. */
export async function queueSyncRun(input: { userId: string; connectionId: string; trigger: SyncTrigger }): Promise<QueuedSync> {
  return requestSyncRun(await appJobs(), input);
}

/** Poll a consent session's bank on the server until it is approved, rejected or expired. */
export async function queueConsentFinalize(input: { userId: string; sessionId: string }): Promise<string | null> {
  return requestConsentFinalize(await appJobs(), input);
}

export type FollowedSync =
  | { state: "finished"; output: SyncJobOutput | null; failed: boolean }
  | { state: "running" }
  | { state: "unknown" };

/**
 * Wait (bounded) for a sync job of this user's connection. A job id that belongs to
 * someone else's connection is "unknown".
 */
export async function followSync(input: { userId: string; connectionId: string; jobId: string; timeoutMs?: number }): Promise<FollowedSync> {
  const jobs = await appJobs();
  const job = await jobs.get("sync.connection", input.jobId);
  if (!job || job.data.userId !== input.userId || job.data.connectionId !== input.connectionId) return { state: "unknown" };
  const r = await waitForSync(jobs, input.jobId, { timeoutMs: input.timeoutMs ?? 25_000 });
  if (!r.done) return { state: "running" };
  return { state: "finished", output: r.output, failed: r.job.state !== "completed" };
}
