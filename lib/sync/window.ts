import { addDays, latestDateAnywhere } from "@/lib/dates";
import type { FetchTransactionsInput, IsoDate, NormalizedTransaction, TransactionPage } from "@/lib/connectors/contract";
import { AccountReadFailed, isAccountScoped } from "@/lib/connectors/errors";

/**
 * The shared adapter that turns a windowed provider API (no change log: "give me the
 * account's transactions dated from…to") into the connector contract's paged
 * `fetchTransactions`. One page = one account × one bounded window `[from, to]`; the
 * engine tombstones only stored rows inside that window that the page lacks.
 *
 * - Incremental: each sync re-reads from the newest posted date seen last time minus
 *   `overlapDays` (pending rows change or vanish for a few days) up to today.
 * - `dateRange` (a partial run) goes to the provider as the read's own bounds.
 * - `maxWindowDays` splits a long range into consecutive windows, oldest first.
 * - One account failing (not a login-wide error) throws `AccountReadFailed`: the engine
 *   retries, then skips that account with a warning. The sync's "newest date seen" is then
 *   not moved on, so the next sync re-reads the skipped account's whole gap.
 */

/** `complete: false` (e.g. the account closed mid-read): apply what came, remove nothing. */
export type WindowRead = { transactions: NormalizedTransaction[]; complete?: boolean };

export type WindowedSource<C> = {
  /** The provider account ids to read (closed accounts left out). */
  accounts(credentials: C): Promise<string[]>;
  /** Every transaction of the account dated in `[from, to]` (inclusive; `from` null = the start of history). */
  read(credentials: C, accountId: string, range: { from: IsoDate | null; to: IsoDate }): Promise<WindowRead>;
  overlapDays: number;
  maxWindowDays?: number | null;
  /** How far back a first read may go when the window length is limited. */
  maxHistoryDays?: number | null;
  /** Now, in ms (tests pass a fake clock). */
  now?: () => number;
};

type Cursor = {
  /** Newest posted date seen by the last complete sync. */
  since: IsoDate | null;
  /** Index of the account being read (accounts sorted by id). */
  i: number;
  /** Newest posted date seen so far in this sync. */
  max: IsoDate | null;
  /** Start of the next window of the current account, when its range is split. */
  next: IsoDate | null;
  /** An account was skipped in this sync: keep `since` where it was. */
  failed?: boolean;
};

export { addDays };
const maxDate = (a: IsoDate | null, b: IsoDate | null) => (!a ? b : !b ? a : a > b ? a : b);

/**
 * The last calendar day that can exist anywhere right now (UTC+14), so a bank ahead of UTC
 * never has rows dated after a window's open end.
 */
export const latestDay = (nowMs: number): IsoDate => latestDateAnywhere(nowMs);

/** Split `[from, to]` into windows of at most `maxDays` days (inclusive), oldest first. */
export function splitRange(from: IsoDate, to: IsoDate, maxDays: number): { from: IsoDate; to: IsoDate }[] {
  if (maxDays < 1) throw new Error("maxDays must be at least 1");
  const out = [];
  for (let f = from; f <= to; f = addDays(f, maxDays)) {
    const t = addDays(f, maxDays - 1);
    out.push({ from: f, to: t < to ? t : to });
  }
  return out;
}

function parseCursor(raw: string | null): Cursor {
  if (!raw) return { since: null, i: 0, max: null, next: null };
  const c = JSON.parse(raw) as Partial<Cursor>;
  return { since: c.since ?? null, i: c.i ?? 0, max: c.max ?? null, next: c.next ?? null, ...(c.failed ? { failed: true } : {}) };
}

export function windowedFetch<C>(src: WindowedSource<C>) {
  const now = () => src.now?.() ?? Date.now();
  return async (credentials: C, input: FetchTransactionsInput): Promise<TransactionPage> => {
    const state = parseCursor(input.cursor);
    const all = [...(await src.accounts(credentials))].sort();
    const list = input.accountIds ? all.filter((a) => input.accountIds!.includes(a)) : all;
    /** Where the sync ends: the newest date seen, unless an account was skipped. */
    const end = (max: IsoDate | null, failed: boolean | undefined): Cursor => ({ since: failed ? state.since : maxDate(max, state.since), i: 0, max: null, next: null });
    const done = (): TransactionPage => ({
      added: [],
      modified: [],
      removed: [],
      nextCursor: JSON.stringify(end(state.max, state.failed)),
      hasMore: false,
    });
    const accountId = list[state.i];
    if (!accountId) return done();

    // The account's whole range for this sync.
    const to = input.dateRange?.to ?? latestDay(now());
    let from: IsoDate | null = input.dateRange?.from ?? (state.since ? addDays(state.since, -src.overlapDays) : null);
    if (!from && src.maxWindowDays) from = addDays(to, -((src.maxHistoryDays ?? 730) - 1));
    // This page's window.
    let win = { from, to };
    let next: IsoDate | null = null;
    if (src.maxWindowDays && from) {
      const start = state.next ?? from;
      const end = addDays(start, src.maxWindowDays - 1);
      win = { from: start, to: end < to ? end : to };
      next = end < to ? addDays(end, 1) : null;
    }

    const lastAccount = state.i + 1 >= list.length;
    let got: WindowRead;
    try {
      got = await src.read(credentials, accountId, win);
    } catch (e) {
      if (!isAccountScoped(e)) throw e;
      const skip: Cursor = lastAccount ? end(state.max, true) : { since: state.since, i: state.i + 1, max: state.max, next: null, failed: true };
      throw new AccountReadFailed(accountId, e, {
        added: [],
        modified: [],
        removed: [],
        nextCursor: JSON.stringify(skip),
        hasMore: !lastAccount,
        accountWarnings: [{ providerAccountId: accountId, code: e.code, message: e.message }],
      });
    }
    const { transactions, complete = true } = got;
    const inside = transactions.filter((t) => (!win.from || t.date >= win.from) && t.date <= win.to);
    const newestPosted = inside.filter((t) => !t.pending).reduce<IsoDate | null>((m, t) => maxDate(m, t.date), null);
    const max = maxDate(state.max, newestPosted);
    const failed = state.failed ? { failed: true } : {};
    let cursor: Cursor;
    if (next) cursor = { since: state.since, i: state.i, max, next, ...failed };
    else if (!lastAccount) cursor = { since: state.since, i: state.i + 1, max, next: null, ...failed };
    else cursor = end(max, state.failed);
    return {
      added: inside,
      modified: [],
      removed: [],
      ...(complete ? { window: { providerAccountId: accountId, from: win.from ?? "0001-01-01", to: win.to } } : {}),
      nextCursor: JSON.stringify(cursor),
      hasMore: Boolean(next) || !lastAccount,
    };
  };
}
