import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { Connector, FetchTransactionsInput, SyncSession, TransactionPage } from "@/lib/connectors/contract";
import { AccountReadFailed, ConnectorError, RestartPagination } from "@/lib/connectors/errors";
import { fakeClock as testClock } from "@/test/sync-harness";
import { MAX_RESTARTS, openSource, withinDeclaredWindow, type SourceContext } from "./source";

type Creds = { token: string; generation: number };

const page = (n: number, last: number, extra: Partial<TransactionPage> = {}): TransactionPage => ({
  added: [{ providerTransactionId: `t${n}`, providerAccountId: "acc-1", pending: false, date: "2026-01-01", amount: "-1.00", currency: "EUR", description: `row ${n}`, raw: {} }],
  modified: [],
  removed: [],
  nextCursor: String(n + 1),
  hasMore: n + 1 < last,
  ...extra,
});

/**
 * A provider of `last` pages (cursor "0" … ), recording every call. `fault(cursor, calls)`
 * may throw for a call; `session: true` gives the connector a per-run session that reads
 * through the same provider and rotates the token when it opens.
 */
function fakeConnector(opts: { last?: number; session?: boolean; fault?: (cursor: string | null, call: number) => void; perMinute?: number } = {}) {
  const last = opts.last ?? 3;
  const seen = { opened: 0, closed: 0, aborted: 0, fetches: [] as { cursor: string | null; token: string; via: string }[], accountsReads: 0, snapshots: 0 };
  const fetch = (c: Creds, input: FetchTransactionsInput, via: string): TransactionPage => {
    seen.fetches.push({ cursor: input.cursor, token: c.token, via });
    opts.fault?.(input.cursor, seen.fetches.length);
    return page(Number(input.cursor ?? "0"), last);
  };
  const connector = {
    id: "fake",
    displayName: "Fake",
    description: "",
    capabilities: { syncModel: "cursor", schedule: "auto", maxHistoryDays: null, supportsPending: false, stableIds: true, consentLifetimeDays: null, rateBudget: opts.perMinute ? { perMinute: opts.perMinute } : null },
    link: { kind: "form", fields: [] },
    credentialsSchema: z.object({ token: z.string(), generation: z.number() }),
    completeLink: () => Promise.reject(new Error("not used")),
    checkAuth: async () => ({ ok: true as const }),
    listAccounts: async () => {
      seen.accountsReads++;
      return [{ providerAccountId: "acc-1", name: "Checking", type: "depository" as const, currency: "EUR" }];
    },
    getBalances: async () => [{ providerAccountId: "acc-1", current: "10.00", available: "10.00", currency: "EUR", asOf: "2026-01-15" }],
    fetchTransactions: async (c: Creds, input: FetchTransactionsInput) => fetch(c, input, "connector"),
    getIdentity: async (c: Creds) => ({ names: [c.token], emails: [], phones: [], addresses: [] }),
    disconnect: async () => {},
    ...(opts.session
      ? {
          async openSession(c: Creds, ctx: Parameters<NonNullable<Connector<Creds>["openSession"]>>[1]): Promise<SyncSession> {
            seen.opened++;
            ctx.signal.addEventListener("abort", () => seen.aborted++);
            // A provider that refreshes the token when a run logs in.
            const rotated = { token: `${c.token}+`, generation: c.generation + 1 };
            await ctx.saveCredentials(rotated);
            return {
              snapshot: async () => {
                seen.snapshots++;
                return { accounts: await connector.listAccounts(), balances: await connector.getBalances() };
              },
              fetchTransactions: async (input) => fetch(rotated, input, "session"),
              close: async () => {
                seen.closed++;
              },
            };
          },
        }
      : {}),
  } satisfies Connector<Creds>;
  return { connector: connector as Connector<Creds>, seen };
}

function context(extra: Partial<SourceContext<Creds>> = {}) {
  const saved: Creds[] = [];
  const clock = testClock();
  const abort = new AbortController();
  const ctx: SourceContext<Creds> = { clock, retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000 }, signal: abort.signal, saveCredentials: async (c) => void saved.push(c), ...extra };
  return { ctx, saved, clock, abort };
}

const drain = async (it: AsyncIterable<TransactionPage>) => {
  const out: TransactionPage[] = [];
  for await (const p of it) out.push(p);
  return out;
};
const START: Creds = { token: "tok", generation: 0 };

describe("openSource over a connector with a session", () => {
  it("opens the session once, reads the snapshot and every page through it, hands rotated credentials to the callback, and closes once", async () => {
    const { connector, seen } = fakeConnector({ session: true, last: 3 });
    const { ctx, saved } = context();
    const source = openSource(connector, START, ctx);
    expect(seen.opened).toBe(0); // nothing is called before the first read

    const snap = await source.snapshot();
    expect(snap.accounts.map((a) => a.providerAccountId)).toEqual(["acc-1"]);
    const pages = await drain(source.pages({ cursor: null }));
    expect(pages.map((p) => p.nextCursor)).toEqual(["1", "2", "3"]);
    expect(seen.fetches.map((f) => f.via)).toEqual(["session", "session", "session"]);
    expect(seen).toMatchObject({ opened: 1, snapshots: 1, closed: 0 });
    // The rotated token, parsed by the connector's schema, reached the callback; later connector calls use it.
    expect(saved).toEqual([{ token: "tok+", generation: 1 }]);
    expect((await source.identity!()).names).toEqual(["tok+"]);
    // open + snapshot + 3 pages + identity
    expect(source.attempts).toBe(6);

    await source.close();
    await source.close();
    expect(seen.closed).toBe(1);
    await expect(source.snapshot()).rejects.toThrow(/closed/);
  });

  it("closes once when a read fails (after its retries), and the failure reaches the caller", async () => {
    const { connector, seen } = fakeConnector({
      session: true,
      fault: (cursor) => {
        if (cursor === "1") throw new ConnectorError("provider_unavailable");
      },
    });
    const { ctx, clock } = context();
    const source = openSource(connector, START, ctx);
    try {
      await source.snapshot();
      await expect(drain(source.pages({ cursor: null }))).rejects.toMatchObject({ code: "provider_unavailable" });
    } finally {
      await source.close();
    }
    expect(seen).toMatchObject({ opened: 1, closed: 1 });
    expect(seen.fetches.map((f) => f.cursor)).toEqual([null, "1", "1", "1"]); // 3 attempts on the failing page
    expect(clock.slept).toEqual([50, 100]); // backoff with jitter (random 0.5)
    expect(source.attempts).toBe(1 + 1 + 4);
  });

  it("closes once when the run is aborted mid-pages (the consumer stops reading); the session sees the abort", async () => {
    const { connector, seen } = fakeConnector({ session: true, last: 5 });
    const { ctx, abort } = context();
    const source = openSource(connector, START, ctx);
    let read = 0;
    await expect(
      (async () => {
        try {
          for await (const p of source.pages({ cursor: null })) {
            read++;
            if (p.nextCursor === "2") {
              abort.abort(); // what the engine does when it loses its lease
              throw new Error("lease lost");
            }
          }
        } finally {
          await source.close();
        }
      })(),
    ).rejects.toThrow("lease lost");
    expect(read).toBe(2);
    expect(seen.fetches).toHaveLength(2); // no page is read after the abort
    expect(seen).toMatchObject({ opened: 1, closed: 1, aborted: 1 });
  });

  it("a session that never opened has nothing to close; a session whose close fails does not fail the run", async () => {
    const { connector } = fakeConnector({ session: true });
    const failingOpen: Connector<Creds> = { ...connector, openSession: async () => Promise.reject(new ConnectorError("reauth_required")) };
    const a = openSource(failingOpen, START, context().ctx);
    await expect(a.snapshot()).rejects.toMatchObject({ code: "reauth_required" });
    expect(a.attempts).toBe(1); // reauth is never retried
    await expect(a.close()).resolves.toBeUndefined();

    let closes = 0;
    const failingClose: Connector<Creds> = {
      ...connector,
      openSession: async () => ({
        close: async () => {
          closes++;
          throw new Error("socket already gone");
        },
      }),
    };
    const b = openSource(failingClose, START, context({ logContext: { test: "close fails" } }).ctx);
    await b.snapshot(); // a session without snapshot: the connector's own reads
    await expect(b.close()).resolves.toBeUndefined();
    expect(closes).toBe(1);
  });
});

describe("openSource pagination", () => {
  it("RestartPagination starts over from the first cursor; more than MAX_RESTARTS restarts fail the run as provider_unavailable", async () => {
    let restarts = 0;
    const { connector, seen } = fakeConnector({
      last: 4,
      fault: (cursor) => {
        if (cursor === "3" && restarts < 1) {
          restarts++;
          throw new RestartPagination("mutation during pagination");
        }
      },
    });
    const source = openSource(connector, START, context().ctx);
    const pages = await drain(source.pages({ cursor: "1" }));
    // 1, 2, then "3" restarted the update from "1": 1, 2, 3 again.
    expect(seen.fetches.map((f) => f.cursor)).toEqual(["1", "2", "3", "1", "2", "3"]);
    expect(pages.map((p) => p.nextCursor)).toEqual(["2", "3", "2", "3", "4"]);
    expect(seen.fetches.every((f) => f.via === "connector" && f.token === "tok")).toBe(true);

    const always = fakeConnector({
      fault: (cursor) => {
        if (cursor === "1") throw new RestartPagination("again");
      },
    });
    const s2 = openSource(always.connector, START, context().ctx);
    await expect(drain(s2.pages({ cursor: null }))).rejects.toMatchObject({ code: "provider_unavailable" });
    // Each restart begins at the first cursor (null) again: MAX_RESTARTS + 1 failed reads of "1".
    expect(always.seen.fetches.filter((f) => f.cursor === "1")).toHaveLength(MAX_RESTARTS + 1);
    expect(always.seen.fetches.filter((f) => f.cursor === null)).toHaveLength(MAX_RESTARTS + 1);
  });

  it("AccountReadFailed is retried like any provider error, then its skip page (with the account's warning) is yielded and reading goes on", async () => {
    const skip = page(1, 3, { added: [], accountWarnings: [{ providerAccountId: "acc-2", code: "provider_unavailable", message: "The provider is not responding right now." }] });
    const { connector, seen } = fakeConnector({
      last: 3,
      fault: (cursor) => {
        if (cursor === "1") throw new AccountReadFailed("acc-2", new ConnectorError("provider_unavailable"), skip);
      },
    });
    const source = openSource(connector, START, context().ctx);
    const pages = await drain(source.pages({ cursor: null, accountIds: ["acc-1", "acc-2"], dateRange: { from: "2026-01-01" } }));
    expect(pages.map((p) => p.nextCursor)).toEqual(["1", "2", "3"]);
    expect(pages[1]).toBe(skip);
    expect(seen.fetches.map((f) => f.cursor)).toEqual([null, "1", "1", "1", "2"]);
    expect(source.attempts).toBe(5);
  });

  it("without a session: listAccounts + getBalances; every call is paced to rateBudget.perMinute", async () => {
    const { connector, seen } = fakeConnector({ last: 3, perMinute: 2 });
    const { ctx, clock } = context();
    const source = openSource(connector, START, ctx);
    await source.snapshot();
    expect(seen.accountsReads).toBe(1);
    await drain(source.pages({ cursor: null }));
    // 5 calls at 2 a minute: the 3rd and the 5th wait for the minute to pass.
    expect(source.attempts).toBe(5);
    expect(clock.slept).toEqual([60_000, 60_000]);
    await source.close();
  });
});

describe("a window page is held to the connector's declared maxWindowDays", () => {
  const win = (from: string, to: string) => page(0, 1, { window: { providerAccountId: "acc-1", from, to } });
  it("a window within the limit passes as it is; a longer one keeps its rows but loses its window (nothing removed)", () => {
    const ok = win("2026-01-01", "2026-01-30"); // 30 days, both ends included
    expect(withinDeclaredWindow(ok, 30)).toBe(ok);
    const long = win("2026-01-01", "2026-01-31"); // 31 days
    const out = withinDeclaredWindow(long, 30);
    expect(out.window).toBeUndefined();
    expect(out.added).toEqual(long.added);
    expect(out.nextCursor).toBe(long.nextCursor);
    // no declared limit: any window
    expect(withinDeclaredWindow(long, null)).toBe(long);
  });

  it("pages read through a source are checked against the connector's capability", async () => {
    const { connector } = fakeConnector({ last: 1 });
    const tooLong = { ...connector, capabilities: { ...connector.capabilities, maxWindowDays: 30 }, fetchTransactions: async () => win("2025-12-01", "2026-01-15") } as Connector<Creds>;
    const [p] = await drain(openSource(tooLong, START, context().ctx).pages({ cursor: null }));
    expect(p!.window).toBeUndefined();
    expect(p!.added).toHaveLength(1);
  });
});

describe("id strategy: a provider without stable ids (stableIds: false) gets content-hash ids", () => {
  const row = (id: string, amount: string, description: string, account = "acc-1") => ({ providerTransactionId: id, providerAccountId: account, pending: false, date: "2026-01-05", amount, currency: "EUR", description, raw: {} });
  const windowPage = (rows: ReturnType<typeof row>[]): TransactionPage => ({ added: rows, modified: [], removed: [{ providerTransactionId: "gone-1" }], nextCursor: null, hasMore: false, window: { providerAccountId: "acc-1", from: "2026-01-01", to: "2026-01-31" } });

  it("the same rows read twice with new provider ids get the same ids; identical rows are told apart by occurrence; the provider's removals are dropped", async () => {
    let reads = 0;
    const { connector } = fakeConnector({ last: 1 });
    const unstable = {
      ...connector,
      capabilities: { ...connector.capabilities, stableIds: false },
      // every read numbers the rows afresh, as such a provider does
      fetchTransactions: async () => {
        reads++;
        return windowPage([row(`r${reads}-a`, "-4.20", "Bakery  Main St"), row(`r${reads}-b`, "-4.2", "bakery main st"), row(`r${reads}-c`, "-4.20", "Bakery Main St", "acc-2"), row(`r${reads}-d`, "100", "Salary")]);
      },
    } as Connector<Creds>;
    const [first] = await drain(openSource(unstable, START, context().ctx).pages({ cursor: null }));
    const [second] = await drain(openSource(unstable, START, context().ctx).pages({ cursor: null }));
    const ids = (p: TransactionPage) => p.added.map((t) => t.providerTransactionId);
    expect(ids(first!)).toEqual(ids(second!));
    const [a, b, c, d] = ids(first!);
    expect(a).toMatch(/^h:[0-9a-f]{24}#0$/);
    expect(b).toBe(a!.replace("#0", "#1")); // the same purchase twice (amount and spacing written differently)
    expect(c).toMatch(/#0$/);
    expect(c).not.toBe(a); // another account
    expect(d).not.toBe(a);
    expect(first!.removed).toEqual([]);
    expect(first!.window).toEqual({ providerAccountId: "acc-1", from: "2026-01-01", to: "2026-01-31" });
  });

  it("a provider with stable ids keeps its own", async () => {
    const { connector } = fakeConnector({ last: 1 });
    const [p] = await drain(openSource(connector, START, context().ctx).pages({ cursor: null }));
    expect(p!.added.map((t) => t.providerTransactionId)).toEqual(["t0"]);
  });
});
