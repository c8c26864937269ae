import { toIsoDate } from "@/lib/dates";
import { randomUUID } from "node:crypto";
import { and, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { isEmbedded, type Db } from "@/db/client";
import { connections, financialAccounts, syncRuns, type SyncTrigger } from "@/db/schema";
import { isScheduled, type AccountWarning, type Connector, type Identity, type NormalizedAccount, type TransactionPage } from "@/lib/connectors/contract";
import { ConnectorError, isConnectorErrorCode, type ConnectorErrorCode } from "@/lib/connectors/errors";
import { getConnector } from "@/lib/connectors/registry";
import { openSecret, sealSecret } from "@/lib/crypto";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { emitSyncEvents } from "@/lib/webhooks/sync-events";
import { applyAccounts, applyBalances, applyTransactionPage, backfillSnapshots, commitTransactionPage, EMBEDDED_STEP_ROWS, emptyDiff, warn, yieldToIo, type Diff, type PageContext } from "./apply";
import { refreshGate, requestPlan, spacedIntervalMs } from "./budget";
import { realClock, type Clock, type RetryPolicy } from "./retry";
import { openSource, type Source } from "./source";

/**
 * The sync engine: ONE entry point for first import, "refresh now", webhooks and the
 * scheduler.
 *
 * - A per-connection lease (connections.locked_until/lock_owner) means two refreshes
 *   never write at once, across processes; the second returns "already_syncing". A
 *   crashed run's lease simply expires.
 * - Each page is applied and its cursor committed in the same DB transaction (fenced on
 *   the lease owner), so a crash anywhere resumes from the last committed page: no
 *   duplicate, no gap.
 * - The provider is read through a source (lib/sync/source.ts: accounts and balances, then
 *   transaction pages); this file only orchestrates. Provider calls retry with backoff +
 *   jitter honouring Retry-After; reauth_required is never retried and flips the
 *   connection's status. A connector that declares `rateBudget.perMinute` has its calls
 *   spaced to that rate (lib/sync/pace.ts).
 * - After a run, only `schedule: "auto"` connections get a next_sync_at; manual and
 *   interactive ones wait for the user.
 * - Dry run: the same work inside one transaction that is rolled back.
 * - A connector may open a per-run session (`openSession`: one login, one accounts read
 *   shared by balances and pages); it is closed on success, failure and abort. Credentials
 *   the provider rotates during the run are stored at once (`saveCredentials`).
 * - One account that cannot be read (`AccountReadFailed`, after retries) does not fail the
 *   run: the others are committed, the run ends "partial" with a warning for that account.
 */

export type SyncRequest = {
  userId: string;
  connectionId: string;
  trigger: SyncTrigger;
  dryRun?: boolean;
  /** Our account ids: only these accounts (the cursor is not advanced). */
  accountIds?: string[];
  /** Only transactions dated in this range (the cursor is not advanced). */
  dateRange?: { from?: string; to?: string };
  /** Record the run under this id (promised to whoever queued the request); a fresh id if it is already taken. */
  runId?: string;
};

export type SyncProgress = { pages: number; added: number; modified: number; removed: number };

export type SyncDeps = {
  clock?: Clock;
  retry?: RetryPolicy;
  /** Override the registry (tests pass a connector bound to their emulator). */
  connector?: Connector<unknown>;
  leaseMs?: number;
  /** Time until the next scheduled sync after a success. */
  syncIntervalMs?: number;
  onProgress?: (p: SyncProgress) => void;
  /** Fault injection for crash tests: runs inside a page's transaction, before its cursor is committed. */
  beforeCommit?: (pageNumber: number, tx: Db) => void | Promise<void>;
  /** Rows a page is committed in per transaction (default: EMBEDDED_STEP_ROWS on PGlite, the whole page on PostgreSQL). */
  pageStepRows?: number;
  /** Fault injection: runs after step `step` of a page committed in steps, before the next step. */
  afterStep?: (pageNumber: number, step: number) => void | Promise<void>;
  /** Fault injection: runs after the last page is committed, before the run is recorded as finished. */
  beforeFinish?: () => void | Promise<void>;
};

export type SyncResult =
  /** `accountWarnings`: accounts that could not be read (the run is recorded as "partial"). */
  | { status: "success"; runId: string; dryRun: boolean; diff: Diff; accounts: number; pages: number; accountWarnings?: AccountWarning[] }
  | { status: "already_syncing" }
  | { status: "error"; runId: string; code: ConnectorErrorCode | "internal" | "interrupted"; message: string; retryAt?: Date };

export const DEFAULT_LEASE_MS = 2 * 60_000;
export const DEFAULT_SYNC_INTERVAL_MS = 6 * 3600_000;
const ANALYZE_AFTER_ROWS = 2000;
const INTERNAL_MESSAGE = "The sync failed on our side. It will be retried.";

class DryRunRollback extends Error {}
class LeaseLost extends Error {
  override name = "LeaseLost";
}

/** The promised run id if no run has it yet (a retried job), otherwise a new one. */
async function freeRunId(db: Db, wanted: string | undefined): Promise<string> {
  if (!wanted) return randomUUID();
  const [taken] = await db.select({ id: syncRuns.id }).from(syncRuns).where(eq(syncRuns.id, wanted));
  return taken ? randomUUID() : wanted;
}

/** Owner identity (names, emails, phones, addresses), fetched once per account, stored encrypted. */
async function storeIdentityOnce(
  db: Db,
  readIdentity: () => Promise<Identity>,
  accountIds: string[],
): Promise<void> {
  if (!accountIds.length) return;
  const missing = await db
    .select({ id: financialAccounts.id })
    .from(financialAccounts)
    .where(and(inArray(financialAccounts.id, accountIds), isNull(financialAccounts.identity)));
  if (!missing.length) return;
  const identity = await readIdentity();
  for (const a of missing) await db.update(financialAccounts).set({ identity: sealSecret(identity, a.id) }).where(eq(financialAccounts.id, a.id));
}

/**
 * Refuse, without calling the provider, a sync that cannot succeed or is not allowed: an
 * expired consent (→ reauth_required, data kept) or a run that does not fit in the daily
 * limits (PSD2's refreshes a day, SimpleFIN's requests a day; lib/sync/budget.ts) → a
 * skipped run, rate_limited with the time the next one is possible.
 */
async function preflight(
  db: Db,
  conn: typeof connections.$inferSelect,
  connector: Connector<unknown>,
  req: SyncRequest,
  clock: Clock,
): Promise<SyncResult | null> {
  const now = new Date(clock.now());
  const skip = async (code: "reauth_required" | "rate_limited", message: string) => {
    const [run] = await db
      .insert(syncRuns)
      .values({ id: await freeRunId(db, req.runId), userId: req.userId, connectionId: conn.id, trigger: req.trigger, status: "skipped", errorCode: code, errorMessage: message, startedAt: now, finishedAt: now })
      .returning({ id: syncRuns.id });
    return run!.id;
  };
  if (conn.consentExpiresAt && conn.consentExpiresAt <= now) {
    const message = `Your consent with the bank expired on ${toIsoDate(conn.consentExpiresAt)}. Renew it to resume syncing — your data is kept.`;
    await db
      .update(connections)
      .set({ status: "reauth_required", lastErrorCode: "reauth_required", lastErrorMessage: message, nextSyncAt: null, updatedAt: now })
      .where(eq(connections.id, conn.id));
    return { status: "error", runId: await skip("reauth_required", message), code: "reauth_required", message };
  }
  const gate = await refreshGate(db, conn, connector, { now, trigger: req.trigger, ...(req.dateRange ? { dateRange: req.dateRange } : {}) });
  if (!gate.ok) {
    const retryAt = gate.nextAt;
    await db.update(connections).set({ retryAt, nextSyncAt: isScheduled(connector) ? retryAt : null, updatedAt: now }).where(eq(connections.id, conn.id));
    return { status: "error", runId: await skip("rate_limited", gate.message), code: "rate_limited", message: gate.message, retryAt };
  }
  return null;
}

/**
 * Take the connection's lease for this run (`owner`), unless another run holds an unexpired
 * one: then a skipped "already_syncing" run is recorded and the answer is false.
 */
async function takeLease(db: Db, connectionId: string, req: SyncRequest, owner: string, clock: Clock, leaseMs: number): Promise<boolean> {
  const at = () => new Date(clock.now());
  const leased = await db
    .update(connections)
    .set({ lockedUntil: new Date(clock.now() + leaseMs), lockOwner: owner, status: "syncing", lastAttemptAt: at() })
    .where(
      and(
        eq(connections.id, connectionId),
        eq(connections.userId, req.userId),
        or(isNull(connections.lockedUntil), lt(connections.lockedUntil, at())),
      ),
    )
    .returning({ id: connections.id });
  if (leased.length) return true;
  await db.insert(syncRuns).values({
    userId: req.userId,
    connectionId,
    trigger: req.trigger,
    status: "skipped",
    errorCode: "already_syncing",
    startedAt: at(),
    finishedAt: at(),
  });
  return false;
}

/**
 * The orchestrator: preflight, lease, run record, then the source's accounts, balances and
 * pages (each page committed with its cursor, fenced on the lease), then the run's outcome,
 * the connection's next sync and the webhook events.
 */
export async function syncConnection(db: Db, req: SyncRequest, deps: SyncDeps = {}): Promise<SyncResult> {
  const clock = deps.clock ?? realClock;
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const at = () => new Date(clock.now());

  const [conn] = await db
    .select()
    .from(connections)
    .where(and(eq(connections.id, req.connectionId), eq(connections.userId, req.userId)));
  if (!conn) throw new AppError("not_found", "That connection does not exist.");
  if (conn.status === "disconnected") throw new AppError("invalid_request", "This connection is disconnected. Link the bank again to sync.");
  const connector = deps.connector ?? getConnector(conn.connectorId);
  const dryRun = Boolean(req.dryRun);
  const partial = Boolean(req.accountIds?.length || req.dateRange);
  const owner = randomUUID();

  if (!dryRun) {
    const refused = await preflight(db, conn, connector, req, clock);
    if (refused) return refused;
  }

  if (!dryRun && !(await takeLease(db, conn.id, req, owner, clock, leaseMs))) return { status: "already_syncing" };

  const [run] = await db
    .insert(syncRuns)
    .values({
      id: await freeRunId(db, req.runId),
      userId: req.userId,
      connectionId: conn.id,
      trigger: req.trigger,
      dryRun,
      startedAt: at(),
      options: { accountIds: req.accountIds ?? null, dateRange: req.dateRange ?? null },
    })
    .returning({ id: syncRuns.id });
  const runId = run!.id;

  const diff = emptyDiff();
  let pages = 0;
  let accountCount = 0;
  const accountWarnings: AccountWarning[] = [];
  const abort = new AbortController();
  /** Credentials rotated during a dry run: written after its rollback (the provider already moved on). */
  let rotatedInDryRun: unknown = undefined;

  /** Rotated credentials are the provider's truth now: stored whoever holds the lease. */
  const storeCredentials = async (next: unknown) => {
    await db
      .update(connections)
      .set({ credentials: sealSecret(next, conn.id), updatedAt: at() })
      .where(and(eq(connections.id, conn.id), eq(connections.userId, req.userId)));
  };

  /** The provider, read through one source for this run (lib/sync/source.ts): retries, pacing, its session. */
  let source: Source | undefined;
  const work = async (w: Db) => {
    source = openSource(connector, connector.credentialsSchema.parse(openSecret(conn.credentials, conn.id)), {
      clock,
      retry: deps.retry,
      signal: abort.signal,
      saveCredentials: async (next) => {
        if (dryRun) rotatedInDryRun = next;
        else await storeCredentials(next);
      },
      logContext: { connectionId: conn.id, runId },
    });
    try {
      await read(w, source);
    } finally {
      await source.close();
    }
  };

  const read = async (w: Db, source: Source) => {
    const { accounts, balances } = await source.snapshot();
    await yieldToIo();
    const ctx = { userId: req.userId, connectionId: conn.id, now: at() };
    const accountIdByProvider = await applyAccounts(w, ctx, accounts);
    await applyBalances(w, { ...ctx, accountIdByProvider, diff }, balances);
    if (source.identity) await storeIdentityOnce(w, source.identity, [...accountIdByProvider.values()]);
    accountCount = accounts.length;
    await yieldToIo();

    let scope = accountIdByProvider;
    if (req.accountIds?.length) {
      const wanted = new Set(req.accountIds);
      scope = new Map([...accountIdByProvider].filter(([, id]) => wanted.has(id)));
    }

    /** Apply one page and commit it with its cursor, in one transaction fenced on this run's lease. */
    const commitPage = async (page: TransactionPage, pageCtx: PageContext) => {
      if (dryRun) {
        await applyTransactionPage(w, pageCtx, page, diff);
      } else {
        // One transaction a page. On the embedded database (one connection, a blocked event loop
        // while it writes) pages are kept short: a cursor page is asked for small (pageSize
        // below); a window page, whose length the provider decides, is committed in short steps
        // (lib/sync/apply.ts), the cursor with the last. Only a window page may be stepped: after a
        // crash between steps its re-read removes a row that vanished meanwhile, while a change
        // log re-read from the old cursor would never mention that row again.
        const stepRows = deps.pageStepRows ?? (isEmbedded(w) && page.window ? EMBEDDED_STEP_ROWS : undefined);
        await commitTransactionPage(w, pageCtx, page, diff, {
          stepRows,
          afterStep: (step) => deps.afterStep?.(pages + 1, step),
          finish: async (tx, last) => {
            if (last) await deps.beforeCommit?.(pages + 1, tx);
            const fenced = await tx
              .update(connections)
              .set({
                ...(partial || !last ? {} : { syncCursor: page.nextCursor }),
                lockedUntil: new Date(clock.now() + leaseMs),
                updatedAt: at(),
              })
              .where(and(eq(connections.id, conn.id), eq(connections.lockOwner, owner)))
              .returning({ id: connections.id });
            if (!fenced.length) {
              abort.abort();
              throw new LeaseLost("another sync took over this connection");
            }
            if (!last) return;
            await tx
              .update(syncRuns)
              .set({ added: diff.added, modified: diff.modified, removed: diff.removed, pages: pages + 1, warnings: diff.warnings })
              .where(eq(syncRuns.id, runId));
          },
        });
      }
    };

    // A partial run replays history filtered and never moves the cursor, so a later full run misses nothing.
    const start = {
      cursor: partial ? null : conn.syncCursor,
      accountIds: req.accountIds?.length ? [...scope.keys()] : undefined,
      dateRange: req.dateRange,
      ...(isEmbedded(w) ? { pageSize: EMBEDDED_STEP_ROWS } : {}),
    };
    for await (const page of source.pages(start)) {
      await yieldToIo(); // between the provider's answer and its (long, on PGlite) page transaction
      for (const aw of page.accountWarnings ?? []) {
        accountWarnings.push(aw);
        warn(diff, `${accountLabel(accounts, aw.providerAccountId)} was not synced this time: ${aw.message}`);
      }
      const pageCtx = { userId: req.userId, accountIdByProvider: scope, now: at(), dateRange: req.dateRange };
      await commitPage(page, pageCtx);
      pages++;
      deps.onProgress?.({ pages, added: diff.added, modified: diff.modified, removed: diff.removed });
      // Let requests in between pages (see yieldToIo).
      await yieldToIo();
    }
    // Every account in scope failed: that is the provider failing, not a partial sync.
    const failed = new Set(accountWarnings.map((aw) => aw.providerAccountId));
    if (failed.size > 0 && [...scope.keys()].every((k) => failed.has(k))) {
      const first = accountWarnings[0]!;
      throw new ConnectorError(isConnectorErrorCode(first.code) ? first.code : "provider_unavailable", `No account could be read: ${first.message}`);
    }
    if (diff.added + diff.modified + diff.removed > 0) await backfillSnapshots(w, { userId: req.userId, connectionId: conn.id });
    // Big imports change the data's shape: refresh planner statistics now (PGlite has no
    // autovacuum, and Postgres's may come much later), so pages use their indexes.
    if (!dryRun && diff.added > ANALYZE_AFTER_ROWS) await refreshStatistics(w);
  };

  /** Read the source and commit its pages; a dry run does it all in one transaction that is rolled back. */
  const readAndCommit = async () => {
    if (dryRun) {
      try {
        await db.transaction(async (tx) => {
          await work(tx);
          throw new DryRunRollback();
        });
      } catch (e) {
        if (!(e instanceof DryRunRollback)) throw e;
      }
    } else {
      await work(db);
    }
  };

  /** Record a run that got through all its pages (success, or partial when accounts were skipped), release the lease, emit its events. */
  const finishSucceeded = async (): Promise<SyncResult> => {
    if (rotatedInDryRun !== undefined) await storeCredentials(rotatedInDryRun);
    await deps.beforeFinish?.();
    const finished = at();
    const partialRun = accountWarnings.length > 0;
    const outcome = partialRun ? { status: "partial" as const, errorCode: "account_unavailable", errorMessage: partialMessage(accountWarnings) } : { status: "success" as const };
    const recorded = await finishRun(db, runId, { ...outcome, finishedAt: finished, added: diff.added, modified: diff.modified, removed: diff.removed, pages, attempts: source?.attempts ?? 0, accounts: accountCount, warnings: diff.warnings });
    if (!recorded) return reaped(runId);
    if (!dryRun) {
      // A request-budget provider spreads what is left of today's budget (lib/sync/budget.ts).
      let interval = deps.syncIntervalMs ?? DEFAULT_SYNC_INTERVAL_MS;
      if (!partial && connector.planRequests) {
        const [fresh] = await db.select({ id: connections.id, credentials: connections.credentials, syncCursor: connections.syncCursor }).from(connections).where(eq(connections.id, conn.id));
        const plan = fresh ? await requestPlan(fresh, connector) : null;
        if (plan) interval = spacedIntervalMs(plan, clock.now(), interval);
      }
      await db
        .update(connections)
        .set({
          status: "active",
          lastSyncedAt: finished,
          // A partial run keeps its reason on the connection, so the Overview flags it.
          lastErrorCode: "errorCode" in outcome ? outcome.errorCode : null,
          lastErrorMessage: "errorMessage" in outcome ? outcome.errorMessage : null,
          retryAt: null,
          // Manual and interactive sources are refreshed only when the user asks.
          nextSyncAt: isScheduled(connector) ? new Date(clock.now() + interval) : null,
          lockedUntil: null,
          lockOwner: null,
          updatedAt: finished,
        })
        .where(and(eq(connections.id, conn.id), eq(connections.lockOwner, owner)));
    }
    if (!dryRun) {
      // A partial run says so (webhook consumers can tell it from a clean success), with the accounts it missed.
      const result = outcome.status === "partial" ? { status: "partial" as const, runId, diff, message: outcome.errorMessage, accountWarnings } : { status: "success" as const, runId, diff };
      await emitSyncEvents(db, { userId: req.userId, connectionId: conn.id, result, now: finished });
    }
    return { status: "success", runId, dryRun, diff, accounts: accountCount, pages, ...(partialRun ? { accountWarnings } : {}) };
  };

  /** Record a failed run, put the connection in error (or reauth_required) with its next attempt, release the lease, emit sync.failed. */
  const finishFailed = async (e: unknown): Promise<SyncResult> => {
    if (rotatedInDryRun !== undefined) await storeCredentials(rotatedInDryRun).catch(() => undefined);
    const known = e instanceof ConnectorError;
    const code: ConnectorErrorCode | "internal" = known ? e.code : "internal";
    const message = known ? e.message : INTERNAL_MESSAGE;
    const retryAt = known && e.retryAfterMs !== undefined ? new Date(clock.now() + e.retryAfterMs) : undefined;
    if (!known) log.error("sync failed", { connectionId: conn.id, runId, error: e });
    const finished = at();
    const recorded = await finishRun(db, runId, { status: "error", finishedAt: finished, errorCode: code, errorMessage: message, added: diff.added, modified: diff.modified, removed: diff.removed, pages, attempts: source?.attempts ?? 0, accounts: accountCount, warnings: diff.warnings });
    // The reaper already ended this run (our lease expired): its verdict stands; the
    // connection and its events belong to whoever runs next.
    if (!recorded) return reaped(runId);
    if (!dryRun) {
      const needsUser = code === "reauth_required" || code === "invalid_credentials";
      await db
        .update(connections)
        .set({
          status: needsUser ? "reauth_required" : "error",
          lastErrorCode: code,
          lastErrorMessage: message,
          retryAt: retryAt ?? null,
          // Reauth waits for the user; other failures are retried by the scheduler (after Retry-After if given).
          nextSyncAt: needsUser || !isScheduled(connector) ? null : (retryAt ?? new Date(clock.now() + 15 * 60_000)),
          lockedUntil: null,
          lockOwner: null,
          updatedAt: finished,
        })
        .where(and(eq(connections.id, conn.id), eq(connections.lockOwner, owner)));
    }
    if (!dryRun) await emitSyncEvents(db, { userId: req.userId, connectionId: conn.id, result: { status: "error", runId, code, message, counts: { added: diff.added, modified: diff.modified, removed: diff.removed } }, now: finished });
    return { status: "error", runId, code, message, retryAt };
  };

  try {
    await readAndCommit();
    return await finishSucceeded();
  } catch (e) {
    return await finishFailed(e);
  }
}

function accountLabel(accounts: NormalizedAccount[], providerAccountId: string): string {
  const a = accounts.find((x) => x.providerAccountId === providerAccountId);
  if (!a) return "An account";
  const mask = a.mask ? ` (…${a.mask})` : "";
  return `“${a.name}”${mask}`;
}

function partialMessage(ws: AccountWarning[]): string {
  const n = new Set(ws.map((w) => w.providerAccountId)).size;
  return `${n} account${n === 1 ? "" : "s"} could not be read this time; the others were synced. The next sync tries again.`;
}

/** Statistics target for the embedded database's post-import ANALYZE (PostgreSQL's default is 100). */
export const EMBEDDED_ANALYZE_TARGET = 30;

/**
 * ANALYZE after a big import, one table per statement. On embedded PGlite a statement holds
 * the only connection and the event loop, and ANALYZE's cost is its sample (300 × the target
 * rows, read from all over the table): at PostgreSQL's default that is a stall of a second
 * or more at 100k rows, so PGlite samples fewer rows (still enough for the planner to pick
 * the indexes). PostgreSQL analyzes without blocking other connections, at its own default.
 */
async function refreshStatistics(db: Db): Promise<void> {
  for (const table of ["transactions", "balance_snapshots"] as const) {
    if (isEmbedded(db)) {
      await db.transaction(async (tx) => {
        await tx.execute(sql.raw(`set local default_statistics_target = ${EMBEDDED_ANALYZE_TARGET}`));
        await tx.execute(sql.raw(`analyze ${table}`));
      });
      await yieldToIo();
    } else await db.execute(sql.raw(`analyze ${table}`));
  }
}

/**
 * Record a run's outcome only while it is still "running". A run the reaper already
 * marked failed (its lease expired while this process was slow, not dead) keeps that
 * verdict: no overwrite with "success", no second set of events, no connection update.
 */
async function finishRun(db: Db, runId: string, set: Partial<typeof syncRuns.$inferInsert>): Promise<boolean> {
  const r = await db
    .update(syncRuns)
    .set(set)
    .where(and(eq(syncRuns.id, runId), eq(syncRuns.status, "running")))
    .returning({ id: syncRuns.id });
  return r.length > 0;
}

const REAPED_MESSAGE = "This run was ended by the reaper (its lease expired) before it finished; the connection was queued again.";

function reaped(runId: string): SyncResult {
  log.warn("a reaped sync run finished late; its result was not recorded", { runId });
  return { status: "error", runId, code: "interrupted", message: REAPED_MESSAGE };
}

/** Is a sync of this connection under way (an unexpired lease)? */
export function isLeased(conn: { lockedUntil: Date | null }, now = new Date()): boolean {
  return Boolean(conn.lockedUntil && conn.lockedUntil > now);
}

