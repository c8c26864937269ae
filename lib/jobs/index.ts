import type { Database, Db } from "@/db/client";
import type { SyncTrigger } from "@/db/schema";
import { reconnectConnection } from "@/lib/connections/service";
import type { Connector } from "@/lib/connectors/contract";
import { log } from "@/lib/log";
import { enqueueConsentFinalize, runConsentJob, type ConsentJobData, type ConsentJobDeps } from "./consent-jobs";
import { createJobQueue, type JobInfo, type JobQueue } from "./queue";
import { enqueueSync, enqueueSyncRun, parseEvery, runDueJob, runSyncJob, type SyncJobData, type SyncJobDeps, type SyncJobOutput, type QueuedSync } from "./sync-jobs";
import { FX_REFRESH_CRON, runFxRefreshJob } from "./fx-jobs";
import type { DeliveryJobData } from "./deliveries";
import { defaultWebhookBatch, runConsentExpiringJob, runDeliveryJob, runWebhookSweep, type DeliveryJobDeps } from "./webhook-jobs";

/**
 * Background work for the app: the process-wide queue, the worker, and the calls the
 * rest of the code makes (enqueue a sync, wait for it, run due work). Nothing outside
 * lib/jobs imports pg-boss.
 */

export type { JobQueue, JobInfo } from "./queue";
export type { QueuedSync, SyncJobOutput } from "./sync-jobs";

export type WorkerOptions = {
  concurrency?: number;
  pollMs?: number;
  /** Cron for `sync.due` (pg-boss cron, minute resolution). */
  dueCron?: string;
  /** Also queue `sync.due` this often (ms) from this process — finer than cron's minute (tests, benches). */
  dueEveryMs?: number;
  deps?: SyncJobDeps;
  consentDeps?: ConsentJobDeps;
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
  await jobs.work("consent.finalize", { pollMs: opts.pollMs }, async (data) => {
    const out = await runConsentJob(db, jobs, data as ConsentJobData, opts.consentDeps);
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

/** Install an already started queue as the process-wide one (tests, like useDatabase). */
export function useJobQueue(jobs: JobQueue | undefined): void {
  g.__ledgerlinkJobs = jobs ? Promise.resolve(jobs) : undefined;
}

/** Queue a sync of a connection, or join the one already waiting; answers the job and the run id it will record. */
export async function requestSyncRun(jobs: JobQueue, data: { userId: string; connectionId: string; trigger: SyncTrigger }): Promise<QueuedSync> {
  return enqueueSyncRun(jobs, data);
}

/** Start the server-side poll of a consent session waiting for the bank (consent.finalize). */
export async function requestConsentFinalize(jobs: JobQueue, data: { userId: string; sessionId: string }): Promise<string | null> {
  return enqueueConsentFinalize(jobs, data);
}

/**
 * Reconnect (new credentials for the same login) and queue its sync in the same request:
 * the connection is synced by the queue and gets its schedule back even if the browser
 * never follows up.
 */
export async function reconnectAndSync(
  db: Db,
  jobs: JobQueue,
  input: { userId: string; connectionId: string; payload?: unknown },
  deps: { connector?: Connector<unknown> } = {},
): Promise<string | null> {
  await reconnectConnection(db, input, deps);
  return enqueueSync(jobs, { userId: input.userId, connectionId: input.connectionId, trigger: "manual" });
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

export type SyncQueueState = {
  /** When the next queued sync of this connection may start (its startAfter), if one waits. */
  nextAt: Date | null;
  /** The newest sync job that failed outside a run (its handler threw), with when it retries (null: no more retries). */
  failedJob: { at: Date; reason: string; attempts: number; retryAt: Date | null } | null;
};

const JOB_FAILED_REASON = "The background sync job stopped with an error on our side.";

/**
 * What the queue holds for one connection, for the sync history: the next attempt and a
 * failed job (pg-boss keeps failed jobs). The job's raw error is not shown (it may carry
 * internals); the run history already shows each run's own reason.
 */
export async function syncQueueState(jobs: JobQueue, connectionId: string): Promise<SyncQueueState> {
  const list = await jobs.byKey("sync.connection", connectionId, 10);
  const waiting = list.filter((j) => j.state === "created" || j.state === "retry").sort((a, b) => a.startAfter.getTime() - b.startAfter.getTime());
  const newestEnded = list.find((j) => j.state === "failed" || j.state === "retry" || j.state === "completed");
  const failed = newestEnded && (newestEnded.state === "failed" || newestEnded.state === "retry") ? newestEnded : null;
  return {
    nextAt: waiting[0]?.startAfter ?? null,
    failedJob: failed
      ? { at: failed.createdOn, reason: JOB_FAILED_REASON, attempts: failed.retryCount + 1, retryAt: failed.state === "retry" ? failed.startAfter : null }
      : null,
  };
}

/**
 * Due work for hosts that can only call a URL on a schedule (POST /api/cron/tick): claim
 * due connections and reap dead runs, then — unless `budgetMs` is 0 — run queued consent
 * polls and syncs in this request until the budget is spent (a serverless host has no
 * long-lived worker; what is left waits for the next tick or a worker).
 */
export async function runDueNow(
  db: Db,
  jobs: JobQueue,
  opts: { budgetMs?: number; maxJobs?: number; deps?: SyncJobDeps; consentDeps?: ConsentJobDeps } = {},
): Promise<{ enqueued: number; reaped: number; deferred: number; ran: number }> {
  const due = await runDueJob(db, jobs);
  const deadline = Date.now() + (opts.budgetMs ?? 0);
  const max = opts.maxJobs ?? 50;
  let ran = 0;
  if (opts.budgetMs) {
    ran += await jobs.runQueued("consent.finalize", async (data) => (await runConsentJob(db, jobs, data as ConsentJobData, opts.consentDeps)) as Record<string, unknown>, { max, deadline });
    ran += await jobs.runQueued(
      "sync.connection",
      async (data) => (await runSyncJob(db, jobs, data as SyncJobData, { defaultIntervalMs: parseEvery(process.env.LEDGERLINK_SYNC_EVERY), ...opts.deps })) as Record<string, unknown>,
      { max: max - ran, deadline },
    );
  }
  return { ...due, ran };
}
