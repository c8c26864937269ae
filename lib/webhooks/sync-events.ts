import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { financialAccounts, transactions } from "@/db/schema";
import type { AccountWarning } from "@/lib/connectors/contract";
import { log } from "@/lib/log";
import { emitEvent } from "./events";

type RunDiff = { added: number; modified: number; removed: number; sample: { added: string[]; modified: string[]; removed: string[] } };

type Finished =
  | { status: "success"; runId: string; diff: RunDiff }
  /** Committed, but some accounts could not be read this time (the run is recorded "partial"). */
  | { status: "partial"; runId: string; diff: RunDiff; message: string; accountWarnings: AccountWarning[] }
  | { status: "error"; runId: string; code: string; message: string; counts: { added: number; modified: number; removed: number } };

/** The accounts a partial run could not read, with our account id where we have the account. */
async function warningsData(db: Db, connectionId: string, warnings: AccountWarning[]) {
  const providerIds = [...new Set(warnings.map((w) => w.providerAccountId))];
  const rows = providerIds.length
    ? await db
        .select({ id: financialAccounts.id, providerAccountId: financialAccounts.providerAccountId })
        .from(financialAccounts)
        .where(and(eq(financialAccounts.connectionId, connectionId), inArray(financialAccounts.providerAccountId, providerIds)))
    : [];
  const ours = new Map(rows.map((r) => [r.providerAccountId, r.id]));
  return warnings.map((w) => ({ account_id: ours.get(w.providerAccountId) ?? null, provider_account_id: w.providerAccountId, code: w.code, message: w.message }));
}

/** Our ids for provider transaction ids of one connection (the diff samples carry provider ids). */
async function ourIds(db: Db, userId: string, connectionId: string, providerIds: string[]): Promise<string[]> {
  if (!providerIds.length) return [];
  const rows = await db
    .select({ id: transactions.id })
    .from(transactions)
    .innerJoin(financialAccounts, eq(financialAccounts.id, transactions.accountId))
    .where(and(eq(transactions.userId, userId), eq(financialAccounts.connectionId, connectionId), inArray(transactions.providerTransactionId, providerIds)));
  return rows.map((r) => r.id);
}

/**
 * The events of one finished (non-dry) sync run: sync.completed / sync.failed with counts,
 * transactions.added|modified|removed batched per run (ids, at most 50, and where to
 * fetch them), connection.reauth_required. sync.completed says `status: "success"`, or
 * `"partial"` with `warning` and `account_warnings` (the accounts that could not be read
 * this time; the others were committed). Never fails the sync: errors are logged.
 */
export async function emitSyncEvents(db: Db, { userId, connectionId, result, now }: { userId: string; connectionId: string; result: Finished; now?: Date }) {
  try {
    const runs = `/api/v1/connections/${connectionId}/runs`;
    if (result.status === "success" || result.status === "partial") {
      const { added, modified, removed, sample } = result.diff;
      const partial = result.status === "partial" ? { warning: result.message, account_warnings: await warningsData(db, connectionId, result.accountWarnings) } : {};
      await emitEvent(db, { userId, type: "sync.completed", now, data: { connection_id: connectionId, run_id: result.runId, status: result.status, added, modified, removed, ...partial, runs } });
      const batches = [
        ["transactions.added", added, sample.added],
        ["transactions.modified", modified, sample.modified],
        ["transactions.removed", removed, sample.removed],
      ] as const;
      for (const [type, count, ids] of batches) {
        if (!count) continue;
        const known = type === "transactions.removed" ? [] : await ourIds(db, userId, connectionId, [...ids]);
        await emitEvent(db, {
          userId,
          type,
          now,
          data: {
            connection_id: connectionId,
            run_id: result.runId,
            count,
            ...(type === "transactions.removed" ? { provider_transaction_ids: ids } : { transaction_ids: known }),
            truncated: count > ids.length,
            fetch: type === "transactions.removed" ? runs : "/api/v1/transactions/{id}",
          },
        });
      }
    } else {
      await emitEvent(db, { userId, type: "sync.failed", now, data: { connection_id: connectionId, run_id: result.runId, error_code: result.code, error_message: result.message, ...result.counts, runs } });
      if (result.code === "reauth_required" || result.code === "invalid_credentials")
        await emitEvent(db, { userId, type: "connection.reauth_required", now, data: { connection_id: connectionId, error_code: result.code, error_message: result.message } });
    }
  } catch (e) {
    log.error("could not record webhook events", { connectionId, error: e });
  }
}
