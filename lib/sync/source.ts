import { createHash } from "node:crypto";
import type { Connector, FetchTransactionsInput, Identity, NormalizedTransaction, Snapshot, SyncSession, TransactionPage } from "@/lib/connectors/contract";
import { AccountReadFailed, ConnectorError, RestartPagination } from "@/lib/connectors/errors";
import { daysBetween } from "@/lib/dates";
import { log } from "@/lib/log";
import { canonical } from "@/lib/money/decimal";
import { yieldToIo } from "./apply";
import { pacer } from "./pace";
import { DEFAULT_RETRY, withRetry, type Clock, type RetryPolicy } from "./retry";

/**
 * A source: one sync run's view of a provider, whatever the connector looks like behind
 * it (with or without a per-run session). The engine (lib/sync/engine.ts) only
 * orchestrates — lease, run record, page commits, finalising — and reads the provider
 * through this:
 *
 * - `snapshot()`: the accounts and balances (the session's one-call snapshot, or
 *   listAccounts + getBalances);
 * - `pages(start)`: the normalised transaction pages from `start.cursor` on. A page may
 *   carry a bounded window (removals only inside it, see lib/sync/window.ts) and
 *   per-account warnings;
 * - `identity()`: the owner's identity, where the connector has it;
 * - credentials the provider rotates are handed to `ctx.saveCredentials` at once (already
 *   validated by the connector's schema), and used for the rest of the run;
 * - `close()`: closes the session if one was opened; call it once the run is over,
 *   whatever happened (it is idempotent and never throws).
 *
 * Every provider call (and every retry of one) is paced to `rateBudget.perMinute`
 * (lib/sync/pace.ts), retried per the policy (lib/sync/retry.ts) and counted in `attempts`.
 * Pagination handles two connector signals itself: `RestartPagination` starts the pages
 * over from `start.cursor` (up to MAX_RESTARTS times; re-applying pages is idempotent), and
 * `AccountReadFailed` (after its retries) yields the error's skip page, which carries the
 * account's warning.
 */
export interface Source {
  snapshot(): Promise<Snapshot>;
  pages(start: PagesStart): AsyncIterable<TransactionPage>;
  /** Present when the connector can read the owner's identity. */
  identity?: () => Promise<Identity>;
  /** Provider calls made so far, retries included (the session's opening too). */
  readonly attempts: number;
  close(): Promise<void>;
}

export type PagesStart = {
  /** Where to start reading (the connection's committed cursor, or null: from the start). */
  cursor: string | null;
  /** Only these provider account ids. */
  accountIds?: string[];
  /** Only transactions dated in this range. */
  dateRange?: FetchTransactionsInput["dateRange"];
  /** At most this many rows a page, where the provider takes a page size (FetchTransactionsInput.pageSize). */
  pageSize?: number;
};

export type SourceContext<C> = {
  clock: Clock;
  retry?: RetryPolicy;
  /** Aborted when the run stops early (its lease was lost); handed to the connector's session. */
  signal: AbortSignal;
  /** Credentials the provider rotated during the run: persist them (they are the provider's truth now). */
  saveCredentials(next: C): Promise<void>;
  /** Logged with a session that failed to close. */
  logContext?: Record<string, unknown>;
};

/** How often one run restarts its pages on `RestartPagination` before giving up. */
export const MAX_RESTARTS = 3;

/**
 * Wrap a connector for one run. Nothing is called here: a session (if the connector has
 * `openSession`) is opened by the first read, so `close()` is safe whatever happened.
 */
export function openSource<C>(connector: Connector<C>, credentials: C, ctx: SourceContext<C>): Source {
  let creds = credentials;
  let attempts = 0;
  let opening: Promise<SyncSession | null> | null = null;
  let closed = false;

  const pace = pacer(connector.capabilities.rateBudget?.perMinute, ctx.clock);
  const call = <T>(fn: () => Promise<T>) =>
    withRetry(
      async () => {
        await pace();
        attempts++;
        return fn();
      },
      ctx.clock,
      ctx.retry ?? DEFAULT_RETRY,
    );

  const session = (): Promise<SyncSession | null> => {
    if (closed) return Promise.reject(new Error("this source is closed"));
    if (!connector.openSession) return Promise.resolve(null);
    opening ??= call(() =>
      connector.openSession!(creds, {
        signal: ctx.signal,
        saveCredentials: async (next) => {
          creds = connector.credentialsSchema.parse(next);
          await ctx.saveCredentials(creds);
        },
      }),
    );
    return opening;
  };

  const fetchPage = async (input: FetchTransactionsInput): Promise<TransactionPage> => {
    const s = await session();
    return call(() => (s?.fetchTransactions ? s.fetchTransactions(input) : connector.fetchTransactions(creds, input)));
  };

  async function* pages(start: PagesStart): AsyncGenerator<TransactionPage> {
    let cursor = start.cursor;
    let restarts = 0;
    for (;;) {
      let page: TransactionPage;
      try {
        page = await fetchPage({ cursor, accountIds: start.accountIds, dateRange: start.dateRange, ...(start.pageSize ? { pageSize: start.pageSize } : {}) });
      } catch (e) {
        if (e instanceof RestartPagination) {
          if (++restarts > MAX_RESTARTS) throw new ConnectorError("provider_unavailable", "The provider's data kept changing during the sync. We'll retry later.");
          cursor = start.cursor; // restart the whole update; re-applying pages is idempotent
          continue;
        }
        // Retries spent on one account: skip it (the source's cursor does not count it as read).
        if (!(e instanceof AccountReadFailed)) throw e;
        page = e.skip;
      }
      const bounded = withinDeclaredWindow(page, connector.capabilities.maxWindowDays, ctx.logContext);
      yield connector.capabilities.stableIds ? bounded : withContentIds(bounded);
      cursor = page.nextCursor;
      if (!page.hasMore) return;
    }
  }

  return {
    async snapshot() {
      const s = await session();
      if (s?.snapshot) return call(() => s.snapshot!());
      const accounts = await call(() => connector.listAccounts(creds));
      await yieldToIo(); // an in-process provider (the demo bank) answers without I/O: one call at a time
      const balances = await call(() => connector.getBalances(creds));
      return { accounts, balances };
    },
    pages,
    identity: connector.getIdentity ? () => call(() => connector.getIdentity!(creds)) : undefined,
    get attempts() {
      return attempts;
    },
    async close() {
      if (closed) return;
      closed = true;
      if (!opening) return;
      const s = await opening.catch(() => null); // a session that never opened has nothing to close
      if (s) await s.close().catch((e: unknown) => log.warn("closing the provider session failed", { ...ctx.logContext, error: e }));
    },
  };
}

/**
 * A window page says "these are ALL the account's rows in [from, to]": the engine removes
 * what it lacks. A window longer than the connector's declared `maxWindowDays` cannot be
 * that (the provider never answers for so long a range), so such a page is a connector bug
 * that would delete real rows: its rows are applied, its window is dropped (nothing
 * removed), and the bug is logged.
 */
export function withinDeclaredWindow(page: TransactionPage, maxWindowDays: number | null | undefined, logContext?: Record<string, unknown>): TransactionPage {
  const w = page.window;
  if (!w || !maxWindowDays) return page;
  const days = daysBetween(w.from, w.to) + 1;
  if (days <= maxWindowDays) return page;
  log.warn("a window page is longer than the connector's maxWindowDays: applied without removals", { ...logContext, from: w.from, to: w.to, days, maxWindowDays });
  const { window: _dropped, ...rest } = page;
  void _dropped;
  return rest;
}

/**
 * The id strategy of a provider whose transaction ids do not survive a refresh
 * (`capabilities.stableIds: false`): each row's id becomes a content hash of (account,
 * date, amount, currency, normalised description) plus its occurrence among identical rows
 * of the page, so a re-read finds the stored row instead of adding it again and two genuinely
 * identical rows both stay. Such a provider is read in window pages (one account × one
 * window: occurrences are counted within it); its own removal list and pending links name
 * ids we never stored, so they are dropped (the window's diff removes what vanished).
 */
export function withContentIds(page: TransactionPage): TransactionPage {
  const seen = new Map<string, number>();
  const rekey = (t: NormalizedTransaction): NormalizedTransaction => {
    const description = t.description.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
    const key = createHash("sha256").update(JSON.stringify([t.providerAccountId, t.date, canonical(t.amount), t.currency.toUpperCase(), description])).digest("hex").slice(0, 24);
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return { ...t, providerTransactionId: `h:${key}#${n}`, pendingTransactionId: null };
  };
  return { ...page, added: page.added.map(rekey), modified: page.modified.map(rekey), removed: [] };
}
