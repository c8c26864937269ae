import PgBoss from "pg-boss";
import type { PGlite } from "@electric-sql/pglite";
import type { Database } from "@/db/client";
import { log } from "@/lib/log";

/**
 * The job queue: pg-boss in the application's own database. This is the ONLY module that
 * imports pg-boss; the rest of the code sees `JobQueue`.
 *
 * - PostgreSQL: pg-boss opens its own small pool with the same connection settings.
 * - Embedded PGlite: pg-boss runs through its `db.executeSql` adapter over the one PGlite
 *   instance. Every statement holds PGlite's transaction lock (the same one Drizzle's
 *   transactions take), so queue SQL never lands inside an app transaction, and an
 *   error is rolled back so the single connection is never left aborted.
 */

export type JobName = "sync.connection" | "sync.due" | "consent.finalize" | "webhook.deliver" | "webhook.sweep" | "consent.expiring" | "fx.refresh";

export type JobState = "created" | "retry" | "active" | "completed" | "cancelled" | "failed";

export type JobInfo = {
  id: string;
  name: string;
  state: JobState;
  data: Record<string, unknown>;
  output: Record<string, unknown> | null;
  startAfter: Date;
  createdOn: Date;
  retryCount: number;
};

export type SendOptions = {
  /** At most one queued (not yet started) job per key; a send while one is queued returns null. */
  singletonKey?: string;
  startAfter?: Date;
};

export type WorkOptions = {
  pollMs?: number;
  concurrency?: number;
  /**
   * Jobs fetched per poll (default 1). A batch runs concurrently; a job whose handler throws
   * fails alone (the others complete). A full batch fetches again at once instead of
   * waiting for the next poll.
   */
  batchSize?: number;
};

export type JobHandler = (data: Record<string, unknown>, job: { id: string; retryCount: number }) => Promise<Record<string, unknown> | void>;

export interface JobQueue {
  readonly kind: Database["kind"];
  send(name: JobName, data: Record<string, unknown>, opts?: SendOptions): Promise<string | null>;
  /** Queue many jobs in one statement (duplicates of a queued singleton key are skipped). */
  sendMany(name: JobName, jobs: { data: Record<string, unknown>; singletonKey?: string; startAfter?: Date }[]): Promise<void>;
  work(name: JobName, opts: WorkOptions, handler: JobHandler): Promise<void>;
  schedule(name: JobName, cron: string, data?: Record<string, unknown>): Promise<void>;
  get(name: JobName, id: string): Promise<JobInfo | null>;
  /** Jobs for one singleton key, newest first (queued, active, finished). */
  byKey(name: JobName, key: string, limit?: number): Promise<JobInfo[]>;
  /** Cancel jobs of a key still marked active that started before `before` (their process died). */
  cancelStaleActive(name: JobName, key: string, before: Date): Promise<number>;
  /**
   * Run queued jobs of `name` in this call (no worker loop): for hosts whose only
   * process is a request (the cron tick). Stops after `max` jobs or at `deadline` (ms epoch).
   */
  runQueued(name: JobName, handler: JobHandler, opts: { max: number; deadline: number }): Promise<number>;
  /** Run `fn` when the queue stops (timers of this process). */
  onStop(fn: () => void): void;
  stop(): Promise<void>;
}

/** Queue settings: every job kind is created once with its policy and retry rules. */
const QUEUES: Record<JobName, Omit<PgBoss.Queue, "name">> = {
  // "short": at most one *queued* job per connection (any further request is that one);
  // a job already running does not block the queued follow-up from being stored.
  "sync.connection": { policy: "short", retryLimit: 3, retryDelay: 30, retryBackoff: true, expireInSeconds: 3 * 3600 },
  "sync.due": { policy: "short", retryLimit: 0, expireInSeconds: 600 },
  // One poll chain per consent session: each poll queues the next (at most one waits).
  "consent.finalize": { policy: "short", retryLimit: 5, retryDelay: 5, retryBackoff: true, expireInSeconds: 600 },
  // ECB rates: one queued refresh at a time; a failed fetch is not retried (the next schedule is).
  "fx.refresh": { policy: "short", retryLimit: 0, expireInSeconds: 300 },
  // One queued job per delivery (singleton key = delivery id). The delivery row holds the
  // retry schedule; a job that fails outright (database error, dead process) is retried by
  // pg-boss after the delivery's claim has lapsed.
  "webhook.deliver": { policy: "short", retryLimit: 3, retryDelay: 90, expireInSeconds: 300 },
  "webhook.sweep": { policy: "short", retryLimit: 0, expireInSeconds: 300 },
  "consent.expiring": { policy: "short", retryLimit: 2, retryDelay: 300, expireInSeconds: 600 },
};

type ExecResult = { rows: unknown[]; rowCount?: number };

/** pg-boss's Db adapter over one PGlite instance. */
export function pgliteExecutor(pg: PGlite): { executeSql(text: string, values?: unknown[]): Promise<ExecResult> } {
  return {
    async executeSql(text: string, values?: unknown[]) {
      // pg-boss wraps some statements in its own BEGIN … COMMIT; PGlite's transaction()
      // supplies those (and the lock), so strip them.
      const m = /^\s*BEGIN;([\s\S]*?)COMMIT;\s*$/i.exec(text);
      const body = m ? m[1]! : text;
      // PGlite's transaction() holds the lock for the whole statement and rolls back on error.
      return pg.transaction(async (tx) => {
        if (values && values.length) {
          const r = await tx.query(body, values);
          return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
        }
        const results = await tx.exec(body);
        const withRows = [...results].reverse().find((r) => r.fields.length > 0) ?? results[results.length - 1];
        return { rows: withRows?.rows ?? [], rowCount: withRows?.affectedRows ?? 0 };
      });
    },
  };
}

export type QueueOptions = {
  /** PostgreSQL connection string (required for a postgres database). */
  url?: string;
  /** Run pg-boss maintenance and cron in this process (workers do; web-only processes need not). */
  supervise?: boolean;
  schema?: string;
};

function toInfo(j: PgBoss.JobWithMetadata<object> | Record<string, unknown>): JobInfo {
  const r = j as Record<string, unknown>;
  return {
    id: String(r.id),
    name: String(r.name),
    state: r.state as JobState,
    data: (r.data ?? {}) as Record<string, unknown>,
    output: (r.output ?? null) as Record<string, unknown> | null,
    startAfter: new Date(r.startAfter as string | Date),
    createdOn: new Date(r.createdOn as string | Date),
    retryCount: Number(r.retryCount ?? 0),
  };
}

export async function createJobQueue(database: Database, opts: QueueOptions = {}): Promise<JobQueue> {
  const schema = opts.schema ?? "pgboss";
  const supervise = opts.supervise ?? true;
  const common = {
    schema,
    supervise,
    schedule: supervise,
    migrate: true,
    maintenanceIntervalSeconds: 60,
    cronWorkerIntervalSeconds: 5,
    cronMonitorIntervalSeconds: 30,
  } satisfies Partial<PgBoss.ConstructorOptions>;
  let boss: PgBoss;
  if (database.kind === "postgres") {
    if (!opts.url) throw new Error("The job queue needs the PostgreSQL connection string (DATABASE_URL).");
    boss = new PgBoss({ ...common, connectionString: opts.url, max: 4, application_name: "ledgerlink-jobs" });
  } else {
    const pg = (database.db as unknown as { $client: PGlite }).$client;
    boss = new PgBoss({ ...common, db: pgliteExecutor(pg) as PgBoss.Db });
  }
  boss.on("error", (e) => log.error("job queue error", { error: e }));
  await boss.start();
  for (const [name, q] of Object.entries(QUEUES)) {
    if (!(await boss.getQueue(name))) {
      try {
        await boss.createQueue(name, { name, ...q });
      } catch (e) {
        // Another process created it at the same moment.
        if (!(await boss.getQueue(name))) throw e;
      }
    }
  }
  const db = boss.getDb();
  const stopHooks: (() => void)[] = [];
  const localWorkers = new Map<JobName, string[]>();
  const rows = async (text: string, values: unknown[]) => (await db.executeSql(text, values)).rows as Record<string, unknown>[];
  const cols = `id, name, state, data, output, start_after as "startAfter", created_on as "createdOn", retry_count as "retryCount"`;

  return {
    kind: database.kind,
    async send(name, data, o = {}) {
      const id = await boss.send(name, data, { singletonKey: o.singletonKey, startAfter: o.startAfter });
      // A worker in this process picks the job up now instead of at its next poll.
      if (id && (!o.startAfter || o.startAfter.getTime() <= Date.now())) for (const w of localWorkers.get(name) ?? []) boss.notifyWorker(w);
      return id;
    },
    async sendMany(name, list) {
      if (!list.length) return;
      await boss.insert(list.map((j) => ({ name, data: j.data, singletonKey: j.singletonKey, startAfter: j.startAfter?.toISOString() })) as PgBoss.JobInsert[]);
      if (list.some((j) => !j.startAfter || j.startAfter.getTime() <= Date.now())) for (const w of localWorkers.get(name) ?? []) boss.notifyWorker(w);
    },
    async work(name, o, handler) {
      const n = Math.max(1, o.concurrency ?? 1);
      const batchSize = Math.max(1, o.batchSize ?? 1);
      for (let i = 0; i < n; i++) {
        let workerId = "";
        workerId = await boss.work<Record<string, unknown>>(name, { pollingIntervalSeconds: Math.max(0.5, (o.pollMs ?? 2000) / 1000), batchSize }, async (jobs) => {
          const run = (job: (typeof jobs)[number]) => handler(job.data ?? {}, { id: job.id, retryCount: (job as unknown as { retryCount?: number }).retryCount ?? 0 });
          if (batchSize === 1) return (await run(jobs[0]!)) ?? undefined;
          // A full batch: more are probably waiting, so skip the poll delay.
          if (jobs.length >= batchSize && workerId) boss.notifyWorker(workerId);
          await Promise.all(
            jobs.map(async (job) => {
              try {
                await run(job);
              } catch (e) {
                log.error("job failed", { name, id: job.id, error: e });
                await boss.fail(name, job.id, { message: (e as Error).message });
              }
            }),
          );
        });
        localWorkers.set(name, [...(localWorkers.get(name) ?? []), workerId]);
      }
    },
    async schedule(name, cron, data = {}) {
      await boss.schedule(name, cron, data, { tz: "UTC", singletonKey: name });
    },
    async get(name, id) {
      const j = await boss.getJobById<object>(name, id);
      return j ? toInfo(j) : null;
    },
    async byKey(name, key, limit = 10) {
      const r = await rows(`select ${cols} from ${schema}.job where name = $1 and singleton_key = $2 order by created_on desc limit $3`, [name, key, limit]);
      return r.map(toInfo);
    },
    async cancelStaleActive(name, key, before) {
      const r = await rows(
        `update ${schema}.job set state = 'cancelled', completed_on = now(), output = $4::jsonb
         where name = $1 and singleton_key = $2 and state = 'active' and started_on <= $3 returning id`,
        [name, key, before.toISOString(), JSON.stringify({ reason: "The process running this job stopped." })],
      );
      return r.length;
    },
    async runQueued(name, handler, o) {
      let n = 0;
      while (n < o.max && Date.now() < o.deadline) {
        const [job] = (await boss.fetch<Record<string, unknown>>(name, { batchSize: 1 })) ?? [];
        if (!job) break;
        n++;
        try {
          const meta = job as unknown as { retryCount?: number };
          const out = await handler(job.data ?? {}, { id: job.id, retryCount: meta.retryCount ?? 0 });
          await boss.complete(name, job.id, out ?? undefined);
        } catch (e) {
          await boss.fail(name, job.id, e as object);
        }
      }
      return n;
    },
    onStop(fn) {
      stopHooks.push(fn);
    },
    async stop() {
      for (const fn of stopHooks.splice(0)) fn();
      await boss.stop({ graceful: true, timeout: 10_000, wait: true });
    },
  };
}
