import { addDays } from "@/lib/dates";
import type { FetchTransactionsInput, IsoDate, NormalizedTransaction, TransactionPage, TransactionWindow } from "@/lib/connectors/contract";
import { AccountReadFailed, isAccountScoped, type ConnectorError } from "@/lib/connectors/errors";

/**
 * The shared adapter for windowed provider APIs read NEWEST FIRST (a bank whose statements
 * cover at most N days; a bridge that answers one date window for all accounts at once).
 * A connector declares how its provider reads a window; this module owns the cursor, the
 * window arithmetic, the end-of-history rules, the budget gate and partial runs.
 * (Oldest-first sources with an incremental "since" use `windowedFetch` in ./window.ts.)
 *
 * Every sync run, per lane (one lane per account for `scope: "account"`, one lane `*` for
 * `scope: "all"`, where one read answers for every account):
 * 1. catch-up: windows of at most `windowDays`, newest first, from the run's day back to the
 *    last day read before minus `overlapDays` (at least the last `recentDays` days; on a first
 *    sync exactly those), so late changes and reversals are seen;
 * 2. backfill: windows walking backwards from the oldest day read, until the read says the
 *    account did not exist yet (`beforeHistory`), `emptyWindowsLimit` empty windows in a
 *    row, or `maxHistoryDays` before the run's day. Before each backfill read `mayBackfill`
 *    (a request budget) may end the run successfully; the cursor keeps the walk's position
 *    and the next run continues it after its own catch-up.
 * A partial run (`dateRange`) reads exactly that range, newest first, in bounded windows;
 * its cursor is never stored by the engine.
 *
 * One page = one account × one window read: `window` = the read's `[from, to]` when the read
 * was complete for that account (the engine removes stored rows inside it that the page
 * lacks), no window when it was not (nothing is removed). Rows dated outside the window
 * are not part of the page. The cursor is committed with every page, so a crash resumes
 * at the last committed page.
 *
 * One account failing (scope "account"; an account-scoped error, not a login-wide one such
 * as reauth, bad credentials or a rate limit) throws `AccountReadFailed`: the engine retries
 * the read, then commits its `skip` page — no rows, a warning for the account, and a cursor
 * that leaves the account's lane exactly as it was (so the next sync re-reads everything it
 * missed) and moves this run on to the other lanes. A partial run's range read skips the
 * account the same way. Scope "all" reads every account at once: its errors end the run.
 */

export type WindowReadKind = "catchup" | "backfill" | "range";

export type WindowReadRequest = {
  /** The account id (scope "account") or `*` (scope "all"). */
  lane: string;
  from: IsoDate;
  to: IsoDate;
  kind: WindowReadKind;
  /** Scope "all": the engine asked for these accounts only. */
  accountIds?: string[];
};

export type WindowReadResult = {
  /** Every transaction the read returned (scope "account": of the lane's account). */
  transactions: NormalizedTransaction[];
  /** Scope "all": the accounts this read answered for; one page each. Default: the lane's account. */
  accounts?: string[];
  /** The read is not complete for these accounts (`true`: for all): their pages carry no window. */
  incomplete?: true | string[];
  /** The provider says the account did not exist yet in this window: the end of its history. */
  beforeHistory?: boolean;
};

export type NewestFirstSource = {
  scope: "account" | "all";
  /** Scope "account": the account ids to read (closed accounts left out). */
  accounts?(): Promise<string[]>;
  read(req: WindowReadRequest): Promise<WindowReadResult>;
  /** The provider's day now (the newest day a window may end on). */
  today(): IsoDate;
  /** Longest window one read may cover (days, inclusive). */
  windowDays: number;
  overlapDays: number;
  /** Days a catch-up always covers, and all a first sync's catch-up covers (default `windowDays`). */
  recentDays?: number;
  /** The backfill goes no further back than this many days before the run's day. */
  maxHistoryDays: number;
  /** This many empty backfill windows in a row end the walk (1: the first empty window). */
  emptyWindowsLimit: number;
  /** May another backfill read be made now? `false` ends the run successfully, the walk's position kept. */
  mayBackfill?(): Promise<boolean>;
  /** A cursor stored by an older version of the connector, in this adapter's form (null: unknown, start afresh). */
  migrate?(old: unknown): WindowCursor | null;
};

type Lane = {
  /** The run day of the last finished catch-up (null: never). */
  head: IsoDate | null;
  /** The oldest day read so far. */
  back: IsoDate | null;
  /** The backfill reached the end of history. */
  done: boolean;
  /** Empty backfill windows in a row. */
  empties: number;
  /** The end of the next catch-up window (null: no catch-up under way). */
  cu: IsoDate | null;
};

/**
 * The stored cursor (`v: 1`, the e-bank connector's original format, read unchanged).
 * `run`: a sync run under way (`to` its day; `i` the next account page of the current read;
 * `skip` the lanes whose read failed in this run: not read again until the next run).
 */
export type WindowCursor = { v: 1; accounts: Record<string, Lane>; run: { to: IsoDate; i?: number; skip?: string[] } | null };
/** A partial run's position: lane index, next window's end, next account page. */
type RangeCursor = { r: { k: number; to: IsoDate; i: number } };

type Task = { lane: string; kind: "catchup" | "backfill"; from: IsoDate; to: IsoDate; target?: IsoDate };

const min = (a: IsoDate, b: IsoDate) => (a < b ? a : b);
const max = (a: IsoDate, b: IsoDate) => (a > b ? a : b);
const freshLane = (): Lane => ({ head: null, back: null, done: false, empties: 0, cu: null });
const empty = (nextCursor: string | null): TransactionPage => ({ added: [], modified: [], removed: [], nextCursor, hasMore: false });

/** Parse a stored cursor: this adapter's own, or an older connector format through `migrate`. */
export function parseWindowCursor(raw: string | null, migrate?: (old: unknown) => WindowCursor | null): WindowCursor {
  const fresh: WindowCursor = { v: 1, accounts: {}, run: null };
  if (!raw) return fresh;
  const c = JSON.parse(raw) as Partial<WindowCursor>;
  if (c && c.v === 1 && c.accounts && typeof c.accounts === "object") return { v: 1, accounts: c.accounts, run: c.run ?? null };
  return migrate?.(c) ?? fresh;
}

/** The pages of one read: one per account, each with its window when the read was complete for it. */
function pagesOf(src: NewestFirstSource, req: WindowReadRequest, got: WindowReadResult, wanted: (id: string) => boolean) {
  const ids = (src.scope === "all" ? (got.accounts ?? []) : [req.lane]).filter(wanted).sort();
  // "The account did not exist yet" is no statement of the window: it removes nothing.
  const incomplete = (id: string) => got.beforeHistory === true || got.incomplete === true || (Array.isArray(got.incomplete) && got.incomplete.includes(id));
  const inside = (t: NormalizedTransaction) => t.date >= req.from && t.date <= req.to;
  const rows = got.transactions.filter(inside);
  // No account gets a window: one page with every row (fewer page transactions, nothing removed).
  if (ids.every(incomplete)) return [{ added: rows.filter((t) => ids.includes(t.providerAccountId)) }];
  return ids.map((id): { added: NormalizedTransaction[]; window?: TransactionWindow } => ({
    added: rows.filter((t) => t.providerAccountId === id),
    ...(incomplete(id) ? {} : { window: { providerAccountId: id, from: req.from, to: req.to } }),
  }));
}

/**
 * Build `fetchTransactions` from a newest-first window source. Build one per sync run (a
 * session): the last read is kept for the further pages of the same read.
 */
export function newestFirstFetch(src: NewestFirstSource) {
  const recentDays = src.recentDays ?? src.windowDays;
  const lanesOf = async (accountIds: string[] | undefined) => {
    if (src.scope === "all") return ["*"];
    const all = await src.accounts!();
    return all.filter((a) => !accountIds || accountIds.includes(a)).sort();
  };
  const wantedOf = (accountIds: string[] | undefined) => (id: string) => !accountIds || accountIds.includes(id);
  /** The last read, for the further account pages of a scope-"all" read. */
  let last: { key: string; got: WindowReadResult } | null = null;
  const read = async (req: WindowReadRequest) => {
    const key = JSON.stringify(req);
    if (last?.key !== key) last = { key, got: await src.read(req) };
    return last.got;
  };

  function nextTask(cur: WindowCursor, order: string[]): Task | null {
    const runTo = cur.run!.to;
    const floor = addDays(runTo, -src.maxHistoryDays);
    const skipped = new Set(cur.run!.skip ?? []);
    order = order.filter((lane) => !skipped.has(lane));
    for (const lane of order) {
      const a = cur.accounts[lane]!;
      if (!a.cu) continue;
      const recent = addDays(runTo, -(recentDays - 1));
      const target = a.head ? min(addDays(a.head, -src.overlapDays), recent) : recent;
      return { lane, kind: "catchup", from: max(addDays(a.cu, -(src.windowDays - 1)), target), to: a.cu, target };
    }
    for (const lane of order) {
      const a = cur.accounts[lane]!;
      if (a.done || !a.back) continue;
      const to = addDays(a.back, -1);
      if (to < floor) continue;
      return { lane, kind: "backfill", from: max(addDays(to, -(src.windowDays - 1)), floor), to };
    }
    return null;
  }

  /** The lane's state after a read of `task` (all its pages committed). */
  function advance(cur: WindowCursor, task: Task, got: WindowReadResult) {
    const a = cur.accounts[task.lane]!;
    const floor = addDays(cur.run!.to, -src.maxHistoryDays);
    if (task.kind === "catchup") {
      a.back = !a.back || task.from < a.back ? task.from : a.back;
      if (got.beforeHistory) a.done = true;
      if (!a.head || task.from <= task.target! || got.beforeHistory) {
        a.head = cur.run!.to;
        a.cu = null;
      } else a.cu = addDays(task.from, -1);
    } else {
      a.back = task.from;
      a.empties = got.transactions.length ? 0 : a.empties + 1;
      if (got.beforeHistory || a.empties >= src.emptyWindowsLimit || task.from <= floor) a.done = true;
    }
  }

  /** One account's read failed for a reason of that account only (scope "all" reads every account at once: never). */
  const skippable = (e: unknown): e is ConnectorError => src.scope === "account" && isAccountScoped(e);
  /** The engine retries the read, then commits this page instead: nothing read, a warning for the account. */
  const skipFailed = (lane: string, e: ConnectorError, nextCursor: string | null, hasMore: boolean) =>
    new AccountReadFailed(lane, e, {
      added: [],
      modified: [],
      removed: [],
      nextCursor,
      hasMore,
      accountWarnings: [{ providerAccountId: lane, code: e.code, message: e.message }],
    });

  async function rangeRead(input: FetchTransactionsInput, range: { from?: IsoDate; to?: IsoDate }): Promise<TransactionPage> {
    const today = src.today();
    const to = range.to && range.to < today ? range.to : today;
    const from = range.from ?? addDays(today, -src.maxHistoryDays);
    const order = await lanesOf(input.accountIds);
    const at = input.cursor ? (JSON.parse(input.cursor) as RangeCursor).r : { k: 0, to, i: 0 };
    const lane = order[at.k];
    if (!lane || from > to) return empty(null);
    const start = max(addDays(at.to, -(src.windowDays - 1)), from);
    const req: WindowReadRequest = { lane, from: start, to: at.to, kind: "range", ...(input.accountIds ? { accountIds: input.accountIds } : {}) };
    let got: WindowReadResult;
    try {
      got = await read(req);
    } catch (e) {
      if (!skippable(e)) throw e;
      // The rest of this account's range is not read in this run: on to the next account.
      const next: RangeCursor["r"] | null = at.k + 1 < order.length ? { k: at.k + 1, to, i: 0 } : null;
      throw skipFailed(lane, e, next ? JSON.stringify({ r: next }) : null, next !== null);
    }
    const pages = pagesOf(src, req, got, wantedOf(input.accountIds));
    const page = pages[at.i] ?? { added: [] };
    const next: RangeCursor["r"] | null =
      at.i + 1 < pages.length ? { ...at, i: at.i + 1 } : start > from ? { k: at.k, to: addDays(start, -1), i: 0 } : at.k + 1 < order.length ? { k: at.k + 1, to, i: 0 } : null;
    return { added: page.added, modified: [], removed: [], ...(page.window ? { window: page.window } : {}), nextCursor: next ? JSON.stringify({ r: next }) : null, hasMore: next !== null };
  }

  return async (input: FetchTransactionsInput): Promise<TransactionPage> => {
    if (input.dateRange) return rangeRead(input, input.dateRange);
    const order = await lanesOf(input.accountIds);
    const cur = parseWindowCursor(input.cursor, src.migrate);
    for (const lane of order) cur.accounts[lane] ??= freshLane();
    if (!cur.run) {
      cur.run = { to: src.today() };
      for (const lane of order) cur.accounts[lane]!.cu = cur.run.to;
    }
    const task = nextTask(cur, order);
    const finish = () => {
      cur.run = null;
      return empty(JSON.stringify(cur));
    };
    if (!task) return finish();
    const i = cur.run.i ?? 0;
    // The budget gate: only before a new optional read (not when resuming the pages of one).
    if (task.kind === "backfill" && i === 0 && src.mayBackfill && !(await src.mayBackfill())) return finish();
    const req: WindowReadRequest = { lane: task.lane, from: task.from, to: task.to, kind: task.kind, ...(input.accountIds ? { accountIds: input.accountIds } : {}) };
    let got: WindowReadResult;
    try {
      got = await read(req);
    } catch (e) {
      if (!skippable(e)) throw e;
      // The lane stays exactly as it was (the next run re-reads what it missed); this run goes on without it.
      cur.run.skip = [...(cur.run.skip ?? []), task.lane];
      delete cur.run.i;
      const more = nextTask(cur, order) !== null;
      if (!more) cur.run = null;
      throw skipFailed(task.lane, e, JSON.stringify(cur), more);
    }
    const pages = pagesOf(src, req, got, wantedOf(input.accountIds));
    const page = pages[i] ?? { added: [] };
    if (i + 1 < pages.length) cur.run.i = i + 1;
    else {
      delete cur.run.i;
      advance(cur, task, got);
    }
    const more = cur.run.i !== undefined || nextTask(cur, order) !== null;
    if (!more) cur.run = null;
    return { added: page.added, modified: [], removed: [], ...(page.window ? { window: page.window } : {}), nextCursor: JSON.stringify(cur), hasMore: more };
  };
}
