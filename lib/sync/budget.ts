import { millisecondsInDay, startOfUtcDayMs } from "@/lib/dates";
import { and, eq, gt, gte, inArray, ne, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { connections as connectionsTable, syncRuns, type connections, type SyncTrigger } from "@/db/schema";
import type { Connector, FetchTransactionsInput, RequestPlan } from "@/lib/connectors/contract";
import { openSecret } from "@/lib/crypto";

/**
 * Daily limits, decided BEFORE a run starts (no provider call), in one place for the
 * engine's preflight, the "Refresh now" action and card, and the sync.due schedule:
 *
 * - refreshes per day (a PSD2 bank's read limit, `rateBudget.syncsPerDay`): counted from
 *   the runs that reached the bank today;
 * - requests per day (SimpleFIN's 24 per token, `planRequests`): the run's required
 *   requests must fit in what remains today. Scheduled runs also leave the connector's
 *   reserve untouched, so a manual refresh stays possible all day. A backfill is split:
 *   only its first chunk is required, the rest is spent while the budget allows and
 *   continues on later days (the connector stops at the reserve and keeps its cursor).
 *
 * Budgets refill at 00:00 UTC (the day the usage is counted in).
 */

export type RefreshGate = { ok: true; plan: RequestPlan | null } | { ok: false; code: "rate_limited"; message: string; nextAt: Date; plan: RequestPlan | null };

type Conn = Pick<typeof connections.$inferSelect, "id" | "credentials" | "syncCursor">;

const DAY_MS = millisecondsInDay;
export const nextUtcMidnight = (ms: number) => startOfUtcDayMs(ms) + DAY_MS;

/** "next possible at 00:00 (UTC 2026-11-22)" */
export function nextPossible(at: Date | number): string {
  const iso = new Date(at).toISOString();
  return `next possible at ${iso.slice(11, 16)} (UTC ${iso.slice(0, 10)})`;
}

/** The connector's request plan for this connection's next run, or null when it has no request budget. */
export async function requestPlan(conn: Conn, connector: Connector<unknown>, dateRange?: DateRangeInput): Promise<RequestPlan | null> {
  if (!connector.planRequests) return null;
  const credentials = connector.credentialsSchema.parse(openSecret(conn.credentials, conn.id));
  return connector.planRequests(credentials, { cursor: conn.syncCursor, ...(dateRange ? { dateRange } : {}) });
}
type DateRangeInput = NonNullable<FetchTransactionsInput["dateRange"]>;

/** May a run of this connection start now? Reads the database only. */
export async function refreshGate(db: Db, conn: Conn, connector: Connector<unknown>, opts: { now: Date; trigger: SyncTrigger; dateRange?: DateRangeInput }): Promise<RefreshGate> {
  const perDay = connector.capabilities.rateBudget?.syncsPerDay;
  if (perDay) {
    const dayStart = new Date(startOfUtcDayMs(opts.now));
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(syncRuns)
      .where(and(eq(syncRuns.connectionId, conn.id), eq(syncRuns.dryRun, false), inArray(syncRuns.status, ["success", "partial", "error"]), gte(syncRuns.startedAt, dayStart), gt(syncRuns.attempts, 0)));
    if ((row?.n ?? 0) >= perDay) {
      const nextAt = new Date(dayStart.getTime() + DAY_MS);
      return { ok: false, code: "rate_limited", nextAt, plan: null, message: `The bank allows ${perDay} refreshes a day and today's are used; ${nextPossible(nextAt)}.` };
    }
  }
  const plan = await requestPlan(conn, connector, opts.dateRange);
  if (plan) {
    const keep = opts.trigger === "scheduled" ? plan.reserve : 0;
    const available = Math.max(0, plan.perDay - plan.used - keep);
    if (plan.required > available) {
      const nextAt = new Date(plan.resetsAt);
      const left = Math.max(0, plan.perDay - plan.used);
      const why =
        plan.required > left
          ? `this refresh needs ${plan.required} and ${left} remain today`
          : `${left} remain today and ${plan.reserve} are kept for a manual refresh`;
      return { ok: false, code: "rate_limited", nextAt, plan, message: `${connector.displayName} allows ${plan.perDay} requests a day; ${why}. The refresh was not started; ${nextPossible(nextAt)}.` };
    }
  }
  return { ok: true, plan };
}

/**
 * The schedule policy of a request-budget connector: spread what is left of today's budget
 * (minus the reserve) over the rest of the day, never more often than `defaultMs`. When the
 * next run does not fit, wait for the refill.
 */
export function spacedIntervalMs(plan: RequestPlan, nowMs: number, defaultMs: number): number {
  const spendable = plan.perDay - plan.reserve - plan.used;
  const cost = Math.max(1, plan.required);
  const runs = Math.floor(spendable / cost);
  const untilRefill = Math.max(0, plan.resetsAt - nowMs);
  if (runs < 1) return Math.max(untilRefill, 60_000);
  return Math.max(defaultMs, Math.ceil(untilRefill / runs));
}

export type RefreshBlock = { message: string; nextAt: Date };

/**
 * For "Refresh now": why a manual refresh of this user's connection cannot start now (a
 * daily limit applies), or null. Scoped by userId; another user's id is simply "no block"
 * (the action itself answers not_found). `connectorFor` resolves a provider id (the registry).
 */
export async function manualRefreshBlock(
  db: Db,
  { userId, connectionId, now = new Date() }: { userId: string; connectionId: string; now?: Date },
  connectorFor: (connectorId: string) => Connector<unknown> | null,
): Promise<RefreshBlock | null> {
  const [conn] = await db
    .select({ id: connectionsTable.id, credentials: connectionsTable.credentials, syncCursor: connectionsTable.syncCursor, connectorId: connectionsTable.connectorId, status: connectionsTable.status })
    .from(connectionsTable)
    .where(and(eq(connectionsTable.id, connectionId), eq(connectionsTable.userId, userId)));
  if (!conn || conn.status === "disconnected") return null;
  const connector = connectorFor(conn.connectorId);
  if (!connector || (!connector.planRequests && !connector.capabilities.rateBudget?.syncsPerDay)) return null;
  try {
    const gate = await refreshGate(db, conn, connector, { now, trigger: "manual" });
    return gate.ok ? null : { message: gate.message, nextAt: gate.nextAt };
  } catch {
    return null; // unreadable credentials: the run itself reports that
  }
}

export type RequestBudget = { provider: string; plan: RequestPlan };

/**
 * For the Connections page: today's request budget of each of the user's connections whose
 * connector counts requests (`planRequests`), by connection id. Reads the database only (no
 * provider call); a connection whose credentials cannot be read is left out (its run reports that).
 */
export async function requestBudgets(
  db: Db,
  { userId }: { userId: string },
  connectorFor: (connectorId: string) => Connector<unknown> | null,
): Promise<Map<string, RequestBudget>> {
  const rows = await db
    .select({ id: connectionsTable.id, credentials: connectionsTable.credentials, syncCursor: connectionsTable.syncCursor, connectorId: connectionsTable.connectorId })
    .from(connectionsTable)
    .where(and(eq(connectionsTable.userId, userId), ne(connectionsTable.status, "disconnected")));
  const out = new Map<string, RequestBudget>();
  for (const conn of rows) {
    const connector = connectorFor(conn.connectorId);
    if (!connector?.planRequests) continue;
    try {
      const plan = await requestPlan(conn, connector);
      if (plan) out.set(conn.id, { provider: connector.displayName, plan });
    } catch {
      // unreadable credentials: nothing to show
    }
  }
  return out;
}
