import { millisecondsInDay, millisecondsInHour, millisecondsInMinute } from "@/lib/dates";
import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { connections, syncRuns, type SyncTrigger } from "@/db/schema";
import { isScheduled, type Connector } from "@/lib/connectors/contract";
import { connectorOrNull, getConnector, isConnectorId } from "@/lib/connectors/registry";
import { log } from "@/lib/log";
import { refreshGate, spacedIntervalMs } from "@/lib/sync/budget";
import { DEFAULT_SYNC_INTERVAL_MS, isLeased, syncConnection, type SyncDeps } from "@/lib/sync/engine";
import type { JobQueue } from "./queue";

/**
 * Sync as jobs.
 *
 * - `sync.connection` {userId, connectionId, trigger}: singleton key = connection id with
 *   pg-boss's "short" policy, so at most ONE job per connection waits in the queue. A
 *   request while a sync runs stores that one follow-up (never zero, never many); when a
 *   worker picks the follow-up while the first run still holds the engine's lease, the job
 *   re-queues itself a little later instead of being dropped.
 * - `sync.due` (cron, every minute): claims due connections with FOR UPDATE SKIP LOCKED
 *   (N processes never claim one twice), pushes their next_sync_at past the claim, and
 *   enqueues them; then reaps runs whose process died.
 * - Retry-After and a provider's daily budget: the engine records `retry_at`; a job never
 *   calls the provider before it — it is re-queued with startAfter = retry_at.
 * - Daily limits shape the schedule: sync.due asks the connection's schedule policy
 *   (scheduledNotBefore) and pushes next_sync_at instead of enqueueing a run that would
 *   not fit or that comes too soon for the budget left today.
 */

/**
 * `runId`: the id the run will be recorded under, chosen when the job is queued so a
 * request can answer with it at once (the API's 202) and the caller can follow it in
 * the connection's runs.
 */
export type SyncJobData = { userId: string; connectionId: string; trigger: SyncTrigger; hops?: number; runId?: string };

export type SyncJobOutput =
  | { outcome: "success" | "error" | "skipped"; runId?: string; code?: string; message?: string; retryAt?: string }
  | { outcome: "deferred"; until: string; reason: "retry_at" | "running"; next: string | null };

export type SyncJobDeps = Omit<SyncDeps, "syncIntervalMs" | "onProgress"> & {
  /** Default interval between scheduled syncs (LEDGERLINK_SYNC_EVERY). */
  defaultIntervalMs?: number;
  /** First wait before re-checking a connection whose sync is still running. */
  busyRetryMs?: number;
  now?: () => Date;
};

const CLAIM_HOLD_MS = 15 * 60_000;
const MAX_BUSY_WAIT_MS = 30_000;

/** Parse LEDGERLINK_SYNC_EVERY ("6h", "90m", "30s" or milliseconds). */
export function parseEvery(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const m = /^(\d+)\s*(ms|s|m|h|d)?$/.exec(value.trim());
  if (!m) throw new Error(`LEDGERLINK_SYNC_EVERY must look like 6h, 90m or 30s (got "${value}").`);
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, m: millisecondsInMinute, h: millisecondsInHour, d: millisecondsInDay }[(m[2] ?? "ms") as "ms"];
  return n * unit;
}

/**
 * How often a connection is synced on schedule: the configured default, but never more
 * often than the provider allows (a PSD2 bank's 4 reads a day → every 6 hours at most).
 */
export function syncIntervalFor(connector: Pick<Connector<unknown>, "capabilities">, defaultMs = DEFAULT_SYNC_INTERVAL_MS): number {
  const perDay = connector.capabilities.rateBudget?.syncsPerDay;
  const floor = perDay ? Math.ceil(millisecondsInDay / perDay) : 0;
  return Math.max(defaultMs, floor);
}

export type QueuedSync = {
  jobId: string | null;
  /** The id the run will have (the waiting job's when the request joined it). */
  runId: string | null;
  /** False when a job already waited for this connection and the request joined it. */
  sent: boolean;
};

/** Enqueue a sync of one connection, or join the one that already waits for it. */
export async function enqueueSyncRun(jobs: JobQueue, data: SyncJobData, opts: { startAfter?: Date } = {}): Promise<QueuedSync> {
  const runId = data.runId ?? randomUUID();
  const id = await jobs.send("sync.connection", { userId: data.userId, connectionId: data.connectionId, trigger: data.trigger, hops: data.hops ?? 0, runId }, {
    singletonKey: data.connectionId,
    startAfter: opts.startAfter,
  });
  if (id) return { jobId: id, runId, sent: true };
  const waiting = (await jobs.byKey("sync.connection", data.connectionId, 5)).find((j) => j.state === "created" || j.state === "retry");
  return { jobId: waiting?.id ?? null, runId: typeof waiting?.data.runId === "string" ? waiting.data.runId : null, sent: false };
}

/** Enqueue a sync of one connection; returns the id of the queued job (the existing one if one already waits). */
export async function enqueueSync(jobs: JobQueue, data: SyncJobData, opts: { startAfter?: Date } = {}): Promise<string | null> {
  return (await enqueueSyncRun(jobs, data, opts)).jobId;
}

/**
 * Put a job back for later. When another job already waits for the connection, this
 * request is that one: the run id promised for it is recorded as a skipped run pointing
 * at the other, so whoever follows it sees an answer instead of nothing.
 */
async function requeue(db: Db, jobs: JobQueue, data: SyncJobData, startAfter: Date, now: Date): Promise<string | null> {
  const q = await enqueueSyncRun(jobs, data, { startAfter });
  if (!q.sent && data.runId && q.runId !== data.runId) {
    await db
      .insert(syncRuns)
      .values({
        id: data.runId,
        userId: data.userId,
        connectionId: data.connectionId,
        trigger: data.trigger,
        status: "skipped",
        errorCode: "merged",
        errorMessage: `Joined the sync already queued for this connection${q.runId ? ` (run ${q.runId})` : ""}.`,
        startedAt: now,
        finishedAt: now,
      })
      .onConflictDoNothing();
  }
  return q.jobId;
}

/** The `sync.connection` handler. */
export async function runSyncJob(db: Db, jobs: JobQueue, data: SyncJobData, deps: SyncJobDeps = {}): Promise<SyncJobOutput> {
  const now = deps.now?.() ?? new Date();
  const [conn] = await db
    .select()
    .from(connections)
    .where(and(eq(connections.id, data.connectionId), eq(connections.userId, data.userId)));
  if (!conn || conn.status === "disconnected") return { outcome: "skipped", message: "The connection no longer exists or is disconnected." };
  if (conn.status === "reauth_required" && data.trigger === "scheduled") return { outcome: "skipped", code: "reauth_required" };

  // Not before Retry-After or the end of the provider's daily budget: no provider call now.
  if (conn.retryAt && conn.retryAt > now) {
    const next = await requeue(db, jobs, data, conn.retryAt, now);
    return { outcome: "deferred", reason: "retry_at", until: conn.retryAt.toISOString(), next };
  }
  const busy = async (): Promise<SyncJobOutput> => {
    const hops = (data.hops ?? 0) + 1;
    const wait = Math.min(MAX_BUSY_WAIT_MS, (deps.busyRetryMs ?? 1000) * 2 ** Math.min(hops - 1, 5));
    const until = new Date(now.getTime() + wait);
    const next = await requeue(db, jobs, { ...data, hops }, until, now);
    return { outcome: "deferred", reason: "running", until: until.toISOString(), next };
  };
  if (isLeased(conn, now)) return busy();

  const connector = deps.connector ?? (isConnectorId(conn.connectorId) ? getConnector(conn.connectorId) : null);
  if (!connector) return { outcome: "skipped", message: `Unknown provider ${conn.connectorId}.` };
  const r = await syncConnection(db, { userId: data.userId, connectionId: data.connectionId, trigger: data.trigger, runId: data.runId }, {
    ...deps,
    connector,
    syncIntervalMs: syncIntervalFor(connector, deps.defaultIntervalMs),
  });
  if (r.status === "already_syncing") return busy();
  if (r.status === "success") return { outcome: "success", runId: r.runId };
  if (r.retryAt) {
    // Retry exactly when the provider allows (the engine also set next_sync_at to it).
    await enqueueSync(jobs, { userId: data.userId, connectionId: data.connectionId, trigger: data.trigger === "initial" ? "initial" : "scheduled", hops: 0 }, { startAfter: r.retryAt });
  }
  return { outcome: "error", runId: r.runId, code: r.code, message: r.message, retryAt: r.retryAt?.toISOString() };
}

/**
 * Claim due connections: rows locked FOR UPDATE SKIP LOCKED (a concurrent claimer skips
 * them), their next_sync_at pushed past the claim so nobody claims them again before the
 * sync sets the real next time. A connection whose connector is not refreshed on schedule
 * (`capabilities.schedule` manual or interactive) is never claimed: its next_sync_at is
 * cleared instead (a row scheduled before the policy existed, or by a webhook).
 */
export async function claimDueConnections(db: Db, opts: { now?: Date; limit?: number; connector?: Connector<unknown> } = {}): Promise<{ id: string; userId: string }[]> {
  const now = opts.now ?? new Date();
  return db.transaction(async (tx) => {
    const rows = await tx
      .select({ id: connections.id, userId: connections.userId, connectorId: connections.connectorId })
      .from(connections)
      .where(
        and(
          inArray(connections.status, ["active", "error", "syncing"]),
          lte(connections.nextSyncAt, now),
          or(isNull(connections.lockedUntil), lt(connections.lockedUntil, now)),
          or(isNull(connections.retryAt), lte(connections.retryAt, now)),
        ),
      )
      .orderBy(asc(connections.nextSyncAt))
      .limit(opts.limit ?? 500)
      .for("update", { skipLocked: true });
    // An unknown or unconfigured provider stays claimable: its run is skipped with a reason, as before.
    const scheduled = (connectorId: string) => {
      const connector = opts.connector ?? connectorOrNull(connectorId);
      return !connector || isScheduled(connector);
    };
    const waiting = rows.filter((r) => !scheduled(r.connectorId));
    if (waiting.length) {
      await tx
        .update(connections)
        .set({ nextSyncAt: null })
        .where(inArray(connections.id, waiting.map((d) => d.id)));
    }
    const due = rows.filter((r) => scheduled(r.connectorId)).map(({ id, userId }) => ({ id, userId }));
    if (!due.length) return [];
    await tx
      .update(connections)
      .set({ nextSyncAt: new Date(now.getTime() + CLAIM_HOLD_MS) })
      .where(inArray(connections.id, due.map((d) => d.id)));
    return due;
  });
}

export const INTERRUPTED_MESSAGE = "The process running this sync stopped before it finished. The sync was started again.";

/**
 * Runs left "running" by a process that died: their connection's lease has expired (a
 * live run renews it every page) or a newer run has started since. Each becomes a failed
 * run with a clear reason; its stale queue job is cancelled and the connection is
 * re-enqueued (unless a newer run already took over).
 */
export async function reapDeadRuns(db: Db, jobs: JobQueue, opts: { now?: Date } = {}): Promise<{ runId: string; connectionId: string; requeued: boolean }[]> {
  const now = opts.now ?? new Date();
  const newer = sql<boolean>`exists (select 1 from sync_runs r2 where r2.connection_id = ${syncRuns.connectionId} and r2.started_at > ${syncRuns.startedAt} and r2.status <> 'skipped' and r2.dry_run = false)`;
  const dead = await db
    .select({ runId: syncRuns.id, connectionId: syncRuns.connectionId, userId: syncRuns.userId, trigger: syncRuns.trigger, startedAt: syncRuns.startedAt, superseded: newer })
    .from(syncRuns)
    .innerJoin(connections, eq(connections.id, syncRuns.connectionId))
    .where(and(eq(syncRuns.status, "running"), eq(syncRuns.dryRun, false), or(isNull(connections.lockedUntil), lt(connections.lockedUntil, now), newer)));
  const out: { runId: string; connectionId: string; requeued: boolean }[] = [];
  for (const d of dead) {
    const changed = await db
      .update(syncRuns)
      .set({ status: "error", errorCode: "interrupted", errorMessage: INTERRUPTED_MESSAGE, finishedAt: now })
      .where(and(eq(syncRuns.id, d.runId), eq(syncRuns.status, "running")))
      .returning({ id: syncRuns.id });
    if (!changed.length) continue; // another reaper got it
    await jobs.cancelStaleActive("sync.connection", d.connectionId, new Date(d.startedAt.getTime() + 1000));
    let requeued = false;
    if (!d.superseded) {
      await db
        .update(connections)
        .set({ status: "error", lastErrorCode: "interrupted", lastErrorMessage: INTERRUPTED_MESSAGE, lockedUntil: null, lockOwner: null, updatedAt: now })
        .where(and(eq(connections.id, d.connectionId), eq(connections.status, "syncing"), or(isNull(connections.lockedUntil), lt(connections.lockedUntil, now))));
      await enqueueSync(jobs, { userId: d.userId, connectionId: d.connectionId, trigger: d.trigger });
      requeued = true;
    }
    log.warn("reaped a sync run whose process died", { runId: d.runId, connectionId: d.connectionId, requeued });
    out.push({ runId: d.runId, connectionId: d.connectionId, requeued });
  }
  return out;
}

export type DueOptions = {
  now?: Date;
  limit?: number;
  /** Default interval between scheduled syncs (LEDGERLINK_SYNC_EVERY). */
  defaultIntervalMs?: number;
  /** Override the registry (tests pass a connector bound to their emulator). */
  connector?: Connector<unknown>;
};

/**
 * The schedule policy of a connection with a daily limit (lib/sync/budget.ts), read by
 * sync.due before it enqueues anything: null = run now; a date = not before then (the run
 * would not fit in today's budget minus the manual reserve, or the remaining budget is
 * spread and the spacing since the last sync has not passed yet).
 */
export async function scheduledNotBefore(db: Db, conn: typeof connections.$inferSelect, connector: Connector<unknown>, now: Date, defaultMs = DEFAULT_SYNC_INTERVAL_MS): Promise<Date | null> {
  if (!connector.planRequests && !connector.capabilities.rateBudget?.syncsPerDay) return null;
  const gate = await refreshGate(db, conn, connector, { now, trigger: "scheduled" });
  if (!gate.ok) return gate.nextAt;
  if (gate.plan && conn.lastSyncedAt) {
    const earliest = conn.lastSyncedAt.getTime() + spacedIntervalMs(gate.plan, now.getTime(), syncIntervalFor(connector, defaultMs));
    if (earliest > now.getTime()) return new Date(earliest);
  }
  return null;
}

/** The `sync.due` handler: claim due connections, enqueue those their schedule policy allows now, then reap dead runs. */
export async function runDueJob(db: Db, jobs: JobQueue, opts: DueOptions = {}): Promise<{ enqueued: number; reaped: number; deferred: number }> {
  const now = opts.now ?? new Date();
  const reaped = await reapDeadRuns(db, jobs, opts);
  const due = await claimDueConnections(db, opts);
  let enqueued = 0;
  let deferred = 0;
  for (const c of due) {
    const [conn] = await db.select().from(connections).where(eq(connections.id, c.id));
    if (!conn) continue;
    const connector = opts.connector ?? (isConnectorId(conn.connectorId) ? getConnector(conn.connectorId) : null);
    let notBefore: Date | null = null;
    try {
      notBefore = connector ? await scheduledNotBefore(db, conn, connector, now, opts.defaultIntervalMs) : null;
    } catch (e) {
      log.warn("could not plan a scheduled sync; running it", { connectionId: c.id, error: e });
    }
    if (notBefore) {
      await db.update(connections).set({ nextSyncAt: notBefore }).where(eq(connections.id, c.id));
      deferred++;
      continue;
    }
    await enqueueSync(jobs, { userId: c.userId, connectionId: c.id, trigger: "scheduled" });
    enqueued++;
  }
  return { enqueued, reaped: reaped.length, deferred };
}
