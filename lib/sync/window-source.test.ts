import { describe, expect, it } from "vitest";
import { addDays } from "@/lib/dates";
import type { FetchTransactionsInput, NormalizedTransaction, TransactionPage } from "@/lib/connectors/contract";
import { AccountReadFailed, ConnectorError } from "@/lib/connectors/errors";
import { newestFirstFetch, parseWindowCursor, type NewestFirstSource, type WindowReadRequest, type WindowReadResult } from "./window-source";

const TODAY = "2026-11-21";
const tx = (account: string, date: string, pending = false): NormalizedTransaction => ({
  providerTransactionId: `${account}:${date}`,
  providerAccountId: account,
  pending,
  date,
  amount: "-1.00",
  currency: "EUR",
  description: date,
  raw: null,
});

/** A bank: each account opened on a day, one transaction every `every` days from then until `lastEntry`. */
function bank(opts: { opened: Record<string, string>; every?: number; lastEntry?: Record<string, string> }) {
  const reads: WindowReadRequest[] = [];
  const rows = (account: string, from: string, to: string) => {
    const out: NormalizedTransaction[] = [];
    const last = opts.lastEntry?.[account] ?? TODAY;
    for (let d = opts.opened[account]!; d <= TODAY; d = addDays(d, opts.every ?? 3)) if (d >= from && d <= to && d <= last) out.push(tx(account, d));
    return out;
  };
  const read = async (req: WindowReadRequest): Promise<WindowReadResult> => {
    reads.push(req);
    if (req.lane === "*") {
      const ids = Object.keys(opts.opened).filter((a) => !req.accountIds || req.accountIds.includes(a));
      return { transactions: ids.flatMap((a) => rows(a, req.from, req.to)), accounts: ids };
    }
    if (req.to < opts.opened[req.lane]!) return { transactions: [], beforeHistory: true };
    return { transactions: rows(req.lane, req.from, req.to) };
  };
  return { reads, read, rows };
}

async function drain(fetch: (i: FetchTransactionsInput) => Promise<TransactionPage>, input: FetchTransactionsInput) {
  const pages: TransactionPage[] = [];
  let cursor = input.cursor;
  for (let n = 0; n < 1000; n++) {
    const p = await fetch({ ...input, cursor });
    pages.push(p);
    cursor = p.nextCursor;
    if (!p.hasMore) return { pages, cursor };
  }
  throw new Error("no end");
}

const decl = (b: ReturnType<typeof bank>, accounts: string[], over: Partial<NewestFirstSource> = {}): NewestFirstSource => ({
  scope: "account",
  accounts: async () => accounts,
  read: b.read,
  today: () => TODAY,
  windowDays: 30,
  overlapDays: 7,
  maxHistoryDays: 3650,
  emptyWindowsLimit: 13,
  ...over,
});

describe("newest-first window adapter", () => {
  it("backfill stops where the bank says the account did not exist yet; every page is one bounded window of one account", async () => {
    const b = bank({ opened: { A: "2026-03-02", B: "2026-08-15" } });
    const accb = ["B", "A"];
    const { pages, cursor } = await drain(newestFirstFetch(decl(b, accb)), { cursor: null });
    // A: catch-up [10-23, 11-21], then 30-day windows back until one ends before 03-02 (the bank says: not yet opened).
    const aReads = b.reads.filter((r) => r.lane === "A");
    expect(aReads[0]).toMatchObject({ kind: "catchup", from: "2026-10-23", to: TODAY });
    for (let i = 1; i < aReads.length; i++) expect(aReads[i]!.to).toBe(addDays(aReads[i - 1]!.from, -1)); // contiguous, newest first
    expect(aReads.at(-1)!.to < "2026-03-02").toBe(true);
    expect(aReads.at(-2)!.from <= "2026-03-02").toBe(true);
    // Catch-ups of all accounts first, then the backfills.
    expect(b.reads.slice(0, 2).map((r) => [r.lane, r.kind])).toEqual([["A", "catchup"], ["B", "catchup"]]);
    // Every page: a bounded window of at most 30 days holding exactly the account's rows inside it.
    for (const p of pages.filter((x) => x.window)) {
      const w = p.window!;
      expect(addDays(w.from, 29) >= w.to).toBe(true);
      // "Not opened yet" is no statement: its read removes nothing (no window before the opening day).
      expect(w.to >= { A: "2026-03-02", B: "2026-08-15" }[w.providerAccountId]!).toBe(true);
      expect(p.added.every((t) => t.providerAccountId === w.providerAccountId && t.date >= w.from && t.date <= w.to)).toBe(true);
    }
    const got = pages.flatMap((p) => p.added.map((t) => t.providerTransactionId)).sort();
    const want = [...b.rows("A", "0001-01-01", TODAY), ...b.rows("B", "0001-01-01", TODAY)].map((t) => t.providerTransactionId).sort();
    expect(got).toEqual(want);
    expect(JSON.parse(cursor!)).toMatchObject({ run: null, accounts: { A: { done: true, head: TODAY }, B: { done: true, head: TODAY } } });
    // The next sync (next day): one catch-up window per account, nothing else.
    const next = newestFirstFetch(decl(b, accb, { today: () => "2026-11-22" }));
    b.reads.length = 0;
    await drain(next, { cursor });
    expect(b.reads.map((r) => [r.lane, r.kind, r.from, r.to])).toEqual([
      ["A", "catchup", "2026-10-24", "2026-11-22"],
      ["B", "catchup", "2026-10-24", "2026-11-22"],
    ]);
  });

  it("a run of empty windows ends the walk; so does the history limit (the last window clipped to it)", async () => {
    const b = bank({ opened: { A: "2010-01-01" }, lastEntry: { A: "2026-11-21" }, every: 400 });
    const accb = ["A"];
    // Rows only every 400 days: with a limit of 2 empty windows the walk stops after the first 2-window gap.
    await drain(newestFirstFetch(decl(b, accb, { emptyWindowsLimit: 2 })), { cursor: null });
    const back = b.reads.filter((r) => r.kind === "backfill");
    const hits = back.map((r) => b.rows("A", r.from, r.to).length);
    expect(hits.slice(-2)).toEqual([0, 0]);
    // No two empty windows in a row before the end.
    expect(hits.slice(0, -2).some((n, i, all) => n === 0 && all[i + 1] === 0)).toBe(false);
    expect(back.length).toBeLessThan(20);

    const c = bank({ opened: { A: "2000-01-01" }, every: 1 });
    const accc = ["A"];
    await drain(newestFirstFetch(decl(c, accc, { maxHistoryDays: 100 })), { cursor: null });
    const last = c.reads.at(-1)!;
    expect(last.from).toBe(addDays(TODAY, -100));
    expect(c.reads.every((r) => r.from >= addDays(TODAY, -100))).toBe(true);
    expect(c.reads).toHaveLength(4); // 30 + 30 + 30 + 11 days
  });

  it("the budget gate ends the run successfully before an optional read; the next run catches up, then continues the walk where it stopped", async () => {
    const b = bank({ opened: { A: "2025-01-01" } });
    const accb = ["A"];
    let allowed = 3;
    const src = decl(b, accb, { mayBackfill: async () => allowed-- > 0 });
    const r1 = await drain(newestFirstFetch(src), { cursor: null });
    expect(b.reads.map((r) => r.kind)).toEqual(["catchup", "backfill", "backfill", "backfill"]);
    expect(r1.pages.at(-1)).toMatchObject({ added: [], hasMore: false });
    const stoppedAt = b.reads.at(-1)!.from;
    b.reads.length = 0;
    allowed = 1000;
    await drain(newestFirstFetch({ ...src, today: () => "2026-11-22" }), { cursor: r1.cursor });
    expect(b.reads[0]).toMatchObject({ kind: "catchup", to: "2026-11-22" });
    expect(b.reads[1]).toMatchObject({ kind: "backfill", to: addDays(stoppedAt, -1) });
  });

  it("scope all: one read answers for every account, one page each; an incomplete read is one page without a window", async () => {
    const b = bank({ opened: { y: "2026-10-01", x: "2026-10-01" } });
    const src: NewestFirstSource = { scope: "all", read: b.read, today: () => TODAY, windowDays: 90, overlapDays: 14, recentDays: 31, maxHistoryDays: 3650, emptyWindowsLimit: 1 };
    const { pages } = await drain(newestFirstFetch(src), { cursor: null });
    expect(b.reads.map((r) => [r.kind, r.from, r.to])).toEqual([
      ["catchup", "2026-10-22", TODAY], // read once for both pages
      ["backfill", "2026-07-24", "2026-10-21"],
      ["backfill", "2026-04-25", "2026-07-23"], // empty: the end
    ]);
    expect(pages.slice(0, 2).map((p) => p.window)).toEqual([
      { providerAccountId: "x", from: "2026-10-22", to: TODAY },
      { providerAccountId: "y", from: "2026-10-22", to: TODAY },
    ]);
    // A resumed cursor mid-read (page 2 of the first read) reads again and returns that page.
    const first = await newestFirstFetch(src)({ cursor: null });
    const second = await newestFirstFetch(src)({ cursor: first.nextCursor });
    expect(second.window?.providerAccountId).toBe("y");

    const partial = await drain(newestFirstFetch({ ...src, read: async (r) => ({ ...(await b.read(r)), incomplete: true }) }), { cursor: null });
    expect(partial.pages.every((p) => !p.window)).toBe(true);
    expect(partial.pages[0]!.added.map((t) => t.providerAccountId).sort()).toContain("x");
  });

  it("a date range is read as bounded windows inside it only, newest first, per account; nothing of the cursor is used", async () => {
    const b = bank({ opened: { A: "2026-01-01", B: "2026-01-01" } });
    const accb = ["A", "B"];
    const { pages, cursor } = await drain(newestFirstFetch(decl(b, accb)), { cursor: null, dateRange: { from: "2026-08-01", to: "2026-09-15" }, accountIds: ["B"] });
    expect(b.reads.map((r) => [r.lane, r.kind, r.from, r.to])).toEqual([
      ["B", "range", "2026-08-17", "2026-09-15"],
      ["B", "range", "2026-08-01", "2026-08-16"],
    ]);
    expect(pages.map((p) => p.window)).toEqual([
      { providerAccountId: "B", from: "2026-08-17", to: "2026-09-15" },
      { providerAccountId: "B", from: "2026-08-01", to: "2026-08-16" },
    ]);
    expect(cursor).toBeNull();
  });

  it("reads older cursors: its own v1 form as is (a run under way resumes), other forms through the source's migration", () => {
    const v1 = '{"v":1,"accounts":{"BG1":{"head":"2026-11-20","back":"2021-11-01","done":false,"empties":2,"cu":null}},"run":{"to":"2026-11-20"}}';
    expect(parseWindowCursor(v1)).toEqual(JSON.parse(v1));
    const migrate = (o: unknown) => ((o as { since?: string }).since ? { v: 1 as const, accounts: { "*": { head: (o as { since: string }).since, back: null, done: true, empties: 0, cu: null } }, run: null } : null);
    expect(parseWindowCursor('{"since":"2026-11-01"}', migrate).accounts["*"]!.head).toBe("2026-11-01");
    expect(parseWindowCursor('{"other":1}', migrate)).toEqual({ v: 1, accounts: {}, run: null });
  });

  describe("one account failing (scope account)", () => {
    /** Like the engine: a page that throws AccountReadFailed is replaced by its skip page (retries left out). */
    async function drainSkipping(fetch: (i: FetchTransactionsInput) => Promise<TransactionPage>, input: FetchTransactionsInput) {
      const pages: TransactionPage[] = [];
      const failures: AccountReadFailed[] = [];
      let cursor = input.cursor;
      for (let n = 0; n < 1000; n++) {
        let p: TransactionPage;
        try {
          p = await fetch({ ...input, cursor });
        } catch (e) {
          if (!(e instanceof AccountReadFailed)) throw e;
          failures.push(e);
          p = e.skip;
        }
        pages.push(p);
        cursor = p.nextCursor;
        if (!p.hasMore) return { pages, cursor, failures };
      }
      throw new Error("no end");
    }
    /** The bank with one account's reads failing (from its `after`-th read on) with `error`. */
    const failing = (b: ReturnType<typeof bank>, lane: string, error: () => Error, after = 0) => {
      let n = 0;
      return async (req: WindowReadRequest) => {
        if (req.lane === lane && n++ >= after) throw error();
        return b.read(req);
      };
    };
    const ids = (pages: TransactionPage[]) => pages.flatMap((p) => p.added.map((t) => t.providerTransactionId)).sort();
    const all = (b: ReturnType<typeof bank>, lanes: string[]) => lanes.flatMap((l) => b.rows(l, "0001-01-01", TODAY)).map((t) => t.providerTransactionId).sort();

    it("first sync: the failing account gets one skip page (no rows, no window, a warning); the others are read whole; the next run reads it whole", async () => {
      const b = bank({ opened: { A: "2026-03-02", B: "2026-05-10", C: "2026-07-01" } });
      const lanes = ["A", "B", "C"];
      const down = () => new ConnectorError("provider_unavailable", "The bank is not answering for this account.");
      const r1 = await drainSkipping(newestFirstFetch(decl(b, lanes, { read: failing(b, "B", down) })), { cursor: null });
      expect(r1.failures).toHaveLength(1);
      const f = r1.failures[0]!;
      expect(f).toMatchObject({ providerAccountId: "B", code: "provider_unavailable" });
      expect(f.skip).toMatchObject({ added: [], modified: [], removed: [], hasMore: true, accountWarnings: [{ providerAccountId: "B", code: "provider_unavailable", message: "The bank is not answering for this account." }] });
      expect(f.skip.window).toBeUndefined();
      // B's lane is exactly as the run began it; the run goes on without B.
      const skipCursor = JSON.parse(f.skip.nextCursor!);
      expect(skipCursor.accounts.B).toEqual({ head: null, back: null, done: false, empties: 0, cu: TODAY });
      expect(skipCursor.run).toEqual({ to: TODAY, skip: ["B"] });
      // A and C: every row; B: none. B was tried once in this run (never again after the skip).
      expect(ids(r1.pages)).toEqual(all(b, ["A", "C"]));
      expect(b.reads.filter((r) => r.lane === "B")).toHaveLength(0);
      const end = JSON.parse(r1.cursor!);
      expect(end).toMatchObject({ run: null, accounts: { A: { done: true, head: TODAY }, C: { done: true, head: TODAY }, B: { head: null, back: null, done: false } } });

      // The next run (the bank answers again): B's whole history, A and C only their newest window.
      b.reads.length = 0;
      const r2 = await drainSkipping(newestFirstFetch(decl(b, lanes, { today: () => "2026-11-22" })), { cursor: r1.cursor });
      expect(r2.failures).toHaveLength(0);
      expect(ids([...r1.pages, ...r2.pages].filter((p) => p.added.some((t) => t.providerAccountId === "B")))).toEqual(all(b, ["B"]));
      expect(b.reads.filter((r) => r.lane !== "B").map((r) => [r.lane, r.kind])).toEqual([["A", "catchup"], ["C", "catchup"]]);
      expect(JSON.parse(r2.cursor!).accounts.B).toMatchObject({ done: true, head: "2026-11-22" });
    });

    it("mid-backfill: the lane keeps where its walk stood (its back, its empty count); the next run catches up and continues the walk from there, nothing missed", async () => {
      const b = bank({ opened: { A: "2025-01-01", B: "2025-01-01" } });
      const lanes = ["A", "B"];
      // B answers its catch-up and two backfill windows, then fails with a 404-like refusal (not retried by the engine).
      const refused = () => new ConnectorError("invalid_request", "The bank rejected a statement request.", { status: 404 });
      const r1 = await drainSkipping(newestFirstFetch(decl(b, lanes, { read: failing(b, "B", refused, 3) })), { cursor: null });
      expect(r1.failures.map((f) => [f.providerAccountId, f.code])).toEqual([["B", "invalid_request"]]);
      const bReads = b.reads.filter((r) => r.lane === "B");
      expect(bReads.map((r) => r.kind)).toEqual(["catchup", "backfill", "backfill"]);
      const before = JSON.parse(r1.pages[r1.pages.indexOf(r1.failures[0]!.skip) - 1]!.nextCursor!).accounts.B;
      const after = JSON.parse(r1.failures[0]!.skip.nextCursor!).accounts.B;
      expect(after).toEqual(before);
      expect(after).toMatchObject({ back: bReads.at(-1)!.from, done: false });
      // A's walk went on to its end after B's failure.
      expect(JSON.parse(r1.cursor!).accounts.A).toMatchObject({ done: true });

      b.reads.length = 0;
      const r2 = await drainSkipping(newestFirstFetch(decl(b, lanes, { today: () => "2026-11-22" })), { cursor: r1.cursor });
      const b2 = b.reads.filter((r) => r.lane === "B");
      expect(b2[0]).toMatchObject({ kind: "catchup", to: "2026-11-22" });
      expect(b2[1]).toMatchObject({ kind: "backfill", to: addDays(bReads.at(-1)!.from, -1) });
      // Every row of both accounts arrived over the two runs.
      expect([...new Set(ids([...r1.pages, ...r2.pages]))]).toEqual(all(b, lanes));
    });

    it("the last account failing ends the run with its skip page (hasMore false, run closed); every account failing skips each once", async () => {
      const b = bank({ opened: { A: "2026-09-01", B: "2026-09-01" } });
      const down = () => new ConnectorError("provider_unavailable");
      // B's catch-up answers; its backfill (the run's last read: A's walk comes first) fails.
      const r1 = await drainSkipping(newestFirstFetch(decl(b, ["A", "B"], { read: failing(b, "B", down, 1) })), { cursor: null });
      expect(b.reads.at(-1)).toMatchObject({ lane: "A", kind: "backfill" });
      const last = r1.pages.at(-1)!;
      expect(last).toBe(r1.failures[0]!.skip);
      expect(last.hasMore).toBe(false);
      expect(JSON.parse(last.nextCursor!).run).toBeNull();

      const c = bank({ opened: { A: "2026-09-01", B: "2026-09-01" } });
      const r2 = await drainSkipping(newestFirstFetch(decl(c, ["A", "B"], { read: async () => Promise.reject(down()) })), { cursor: null });
      expect(r2.failures.map((f) => f.providerAccountId)).toEqual(["A", "B"]);
      expect(r2.pages.every((p) => p.added.length === 0 && !p.window)).toBe(true);
      expect(JSON.parse(r2.cursor!)).toEqual({ v: 1, run: null, accounts: { A: { head: null, back: null, done: false, empties: 0, cu: TODAY }, B: { head: null, back: null, done: false, empties: 0, cu: TODAY } } });
    });

    it("login-wide errors (reauth, credentials, a rate limit, a failed sign-in) and plain errors are thrown as they are, never skipped", async () => {
      const b = bank({ opened: { A: "2026-09-01", B: "2026-09-01" } });
      const cases: Error[] = [
        new ConnectorError("reauth_required"),
        new ConnectorError("invalid_credentials"),
        new ConnectorError("rate_limited", undefined, { retryAfterMs: 30_000 }),
        new ConnectorError("provider_unavailable", "The bank's login is not responding.", { loginWide: true }),
        new Error("a bug"),
      ];
      for (const err of cases) {
        const fetch = newestFirstFetch(decl(b, ["A", "B"], { read: failing(b, "A", () => err) }));
        await expect(fetch({ cursor: null })).rejects.toBe(err);
      }
    });

    it("scope all: a failed read answers for every account, so it ends the run (not skipped)", async () => {
      const err = new ConnectorError("provider_unavailable");
      const src: NewestFirstSource = { scope: "all", read: async () => Promise.reject(err), today: () => TODAY, windowDays: 90, overlapDays: 14, maxHistoryDays: 3650, emptyWindowsLimit: 1 };
      await expect(newestFirstFetch(src)({ cursor: null })).rejects.toBe(err);
      await expect(newestFirstFetch(src)({ cursor: null, dateRange: { from: "2026-10-01", to: TODAY } })).rejects.toBe(err);
    });

    it("a date range: the failing account's rest of the range is skipped, the next account's range is read whole", async () => {
      const b = bank({ opened: { A: "2026-01-01", B: "2026-01-01", C: "2026-01-01" } });
      const down = () => new ConnectorError("provider_unavailable");
      const range = { from: "2026-08-01", to: "2026-09-15" };
      const r = await drainSkipping(newestFirstFetch(decl(b, ["A", "B", "C"], { read: failing(b, "B", down, 1) })), { cursor: null, dateRange: range });
      expect(r.failures.map((f) => f.providerAccountId)).toEqual(["B"]);
      expect(b.reads.map((x) => [x.lane, x.from, x.to])).toEqual([
        ["A", "2026-08-17", "2026-09-15"],
        ["A", "2026-08-01", "2026-08-16"],
        ["B", "2026-08-17", "2026-09-15"],
        ["C", "2026-08-17", "2026-09-15"],
        ["C", "2026-08-01", "2026-08-16"],
      ]);
      expect(r.cursor).toBeNull();
      expect(ids(r.pages)).toEqual([...b.rows("A", range.from, range.to), ...b.rows("B", "2026-08-17", range.to), ...b.rows("C", range.from, range.to)].map((t) => t.providerTransactionId).sort());
    });
  });
});
