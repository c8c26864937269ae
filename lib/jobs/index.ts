import type { Database, Db } from "@/db/client";
import type { SyncTrigger } from "@/db/schema";
import { log } from "@/lib/log";
import { createJobQueue, type JobInfo, type JobQueue } from "./queue";
import { FX_REFRESH_CRON, runFxRefreshJob } from "./fx-jobs";
import { enqueueSync, parseEvery, runDueJob, runSyncJob, type SyncJobData, type SyncJobDeps, type SyncJobOutput } from "./sync-jobs";
import type { DeliveryJobData } from "./deliveries";
import { defaultWebhookBatch, runConsentExpiringJob, runDeliveryJob, runWebhookSweep, type DeliveryJobDeps } from "./webhook-jobs";

/**
 * Background work for the app: the process-wide queue, the worker, and the calls the
 * rest of the code makes (enqueue a sync, wait for it, run due work). Nothing outside
 * lib/jobs imports pg-boss.
 */

export type { JobQueue, JobInfo } from "./queue";
export type { SyncJobOutput } from "./sync-jobs";

export type WorkerOptions = {
  concurrency?: number;
  pollMs?: number;
  /** Cron for `sync.due` (pg-boss cron, minute resolution). */
  dueCron?: string;
  /** Also queue `sync.due` this often (ms) from this process — finer than cron's minute (tests, benches). */
  dueEveryMs?: number;
  deps?: SyncJobDeps;
  /** Refresh ECB rates as a scheduled job (LEDGERLINK_FX_FETCH=on); `url` replaces the ECB feed (a mirror, a test server). */
  fx?: { cron?: string; url?: string; timeoutMs?: number };
  /** `webhook.deliver`: jobs fetched per poll and delivered concurrently (default 25 on PostgreSQL, 5 on PGlite). */
  webhookBatch?: number;
  webhookDeps?: DeliveryJobDeps;
};

/** Settings for a worker taken from the environment. */
export function workerOptionsFromEnv(e: NodeJS.ProcessEnv = process.env): WorkerOptions {
  const leaseMs = e.LEDGERLINK_SYNC_LEASE_MS ? Number(e.LEDGERLINK_SYNC_LEASE_MS) : undefined;
  return {
    concurrency: e.LEDGERLINK_WORKER_CONCURRENCY ? Number(e.LEDGERLINK_WORKER_CONCURRENCY) : 1,
    pollMs: e.LEDGERLINK_WORKER_POLL_MS ? Number(e.LEDGERLINK_WORKER_POLL_MS) : 1000,
    dueEveryMs: e.LEDGERLINK_DUE_EVERY_MS ? Number(e.LEDGERLINK_DUE_EVERY_MS) : undefined,
    deps: { leaseMs, defaultIntervalMs: parseEvery(e.LEDGERLINK_SYNC_EVERY) },
    fx: e.LEDGERLINK_FX_FETCH === "on" ? { url: e.LEDGERLINK_FX_URL || undefined } : undefined,
    webhookBatch: e.LEDGERLINK_WEBHOOK_BATCH ? Number(e.LEDGERLINK_WEBHOOK_BATCH) : undefined,
  };
}

/** Start this process's worker: handlers for every job kind and the `sync.due` schedule. */
export async function startWorker(database: Database, jobs: JobQueue, opts: WorkerOptions = {}): Promise<void> {
  const db = database.db;
  await jobs.work("sync.connection", { concurrency: opts.concurrency, pollMs: opts.pollMs }, async (data) => {
    const out = await runSyncJob(db, jobs, data as SyncJobData, opts.deps);
    return out as Record<string, unknown>;
  });
  await jobs.work("sync.due", { pollMs: opts.pollMs }, async () => runDueJob(db, jobs, { defaultIntervalMs: opts.deps?.defaultIntervalMs, connector: opts.deps?.connector }));
  await jobs.schedule("sync.due", opts.dueCron ?? "* * * * *");
  // Outbound webhooks: deliveries, the sweep for lost jobs, the daily consent warning.
  await jobs.work("webhook.deliver", { pollMs: opts.pollMs, batchSize: opts.webhookBatch ?? defaultWebhookBatch(database.kind) }, async (data) => runDeliveryJob(db, jobs, data as DeliveryJobData, opts.webhookDeps));
  await jobs.work("webhook.sweep", { pollMs: opts.pollMs }, async () => runWebhookSweep(db, jobs));
  await jobs.schedule("webhook.sweep", "* * * * *");
  await jobs.work("consent.expiring", { pollMs: opts.pollMs }, async () => runConsentExpiringJob(db, jobs));
  await jobs.schedule("consent.expiring", "0 6 * * *");
  await jobs.send("webhook.sweep", {}, { singletonKey: "sweep" });
  await jobs.send("consent.expiring", {}, { singletonKey: "consent" });
  // Catch up at start (connections that fell due while nothing ran, runs of a dead process).
  await jobs.send("sync.due", {}, { singletonKey: "due" });
  if (opts.fx) {
    const fx = opts.fx;
    await jobs.work("fx.refresh", { pollMs: opts.pollMs }, async () => runFxRefreshJob(db, { url: fx.url, timeoutMs: fx.timeoutMs }));
    await jobs.schedule("fx.refresh", fx.cron ?? FX_REFRESH_CRON);
    // Catch up at start (the process may have been down when the ECB published).
    await jobs.send("fx.refresh", {}, { singletonKey: "fx" });
  }
  if (opts.dueEveryMs) {
    const timer = setInterval(() => {
      jobs.send("sync.due", {}, { singletonKey: "due" }).catch((e) => log.warn("could not queue sync.due", { error: e }));
    }, opts.dueEveryMs);
    timer.unref();
    jobs.onStop(() => clearInterval(timer));
  }
}

const g = globalThis as unknown as { __ledgerlinkJobs?: Promise<JobQueue>; __ledgerlinkWorker?: Promise<void> };

/** The process-wide queue on the app database (started once, cached on globalThis). */
export function getJobs(getDatabase: () => Promise<Database>, opts: { url?: string; supervise?: boolean } = {}): Promise<JobQueue> {
  g.__ledgerlinkJobs ??= (async () => createJobQueue(await getDatabase(), { url: opts.url, supervise: opts.supervise }))().catch((e) => {
    g.__ledgerlinkJobs = undefined;
    throw e;
  });
  return g.__ledgerlinkJobs;
}

/** Start the in-process worker once (the web process on one machine). */
export function startInProcessWorker(getDatabase: () => Promise<Database>, opts: { url?: string } & WorkerOptions = {}): Promise<void> {
  g.__ledgerlinkWorker ??= (async () => {
    const jobs = await getJobs(getDatabase, { url: opts.url, supervise: true });
    await startWorker(await getDatabase(), jobs, opts);
    log.info("in-process worker started");
  })();
  return g.__ledgerlinkWorker;
}

/** Queue a sync of a connection (deduplicated per connection); returns the job id. */
export async function requestSync(jobs: JobQueue, data: { userId: string; connectionId: string; trigger: SyncTrigger }): Promise<string | null> {
  return enqueueSync(jobs, data);
}

export type WaitResult = { done: true; job: JobInfo; output: SyncJobOutput | null } | { done: false; job: JobInfo | null };

/**
 * Follow a sync job (and the follow-up it re-queued itself as, when the connection was
 * busy) until it finishes or `timeoutMs` passes. Requests use it to answer with the
 * result when the sync is quick; slow ones keep running in the background.
 */
export async function waitForSync(jobs: JobQueue, jobId: string, opts: { timeoutMs?: number; pollMs?: number } = {}): Promise<WaitResult> {
  const deadline = Date.now() + (opts.timeoutMs ?? 25_000);
  let id = jobId;
  let job: JobInfo | null = null;
  while (Date.now() < deadline) {
    job = await jobs.get("sync.connection", id);
    if (job && ["completed", "failed", "cancelled"].includes(job.state)) {
      const output = (job.output ?? null) as SyncJobOutput | null;
      if (output && output.outcome === "deferred" && output.reason === "running" && output.next) {
        id = output.next;
        continue;
      }
      return { done: true, job, output };
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
  }
  return { done: false, job };
}

/** Due work for hosts that can only call a URL on a schedule (POST /api/cron/tick). */
export async function runDueNow(db: Db, jobs: JobQueue): Promise<{ enqueued: number; reaped: number; deferred: number }> {
  return runDueJob(db, jobs);
}
