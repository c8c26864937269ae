import { z } from "zod";
import { addDays, daysBetween, isoDateToUtcMs, todayUtc } from "@/lib/dates";
import type { Connector, FetchTransactionsInput, IsoDate, TransactionPage } from "../contract";
import { ConnectorError, probeAuth } from "../errors";
import { decodeSetupToken, SimplefinClient, splitAccessUrl, type AccountsQuery, type SimplefinSettings } from "./client";
import { epochDay, parseAccountSet, type ParsedAccountSet } from "./normalize";
import { tokenKey, type SimplefinStore } from "./state";
import { nextPossible, nextUtcMidnight } from "@/lib/sync/budget";
import { newestFirstFetch, parseWindowCursor, type WindowCursor } from "@/lib/sync/window-source";

/**
 * SimpleFIN Bridge: one endpoint (`GET {access}/accounts`) returns accounts, balances and
 * transactions for a date window. No cursor, no webhooks, about 24 requests a day.
 *
 * How a refresh spends requests (each one reserved in the database before it is sent):
 * - the run's session snapshot reads the RECENT window (the last 30 days → today, pending
 *   included); the same answer (kept for that run only, in its session) serves balances and
 *   the first transaction pages, one page per account marked as a window so that vanished
 *   pendings and reversed charges become removals;
 * - an incremental refresh re-reads from the previous refresh minus a 14-day overlap
 *   (only gaps longer than 16 days cost extra requests, ≤ 90 days each);
 * - the first import then walks older history newest-first in 90-day windows until the
 *   bridge returns an empty window;
 * - a partial run (date range) asks the bridge for that range only, in ≤ 90-day windows.
 * The cursor and the window walk are the shared newest-first adapter's (lib/sync/window-source.ts,
 * scope "all": one request answers for every account); older cursors are migrated on read.
 *
 * The budget is planned before a run starts (`planRequests`, checked by lib/sync/budget.ts):
 * - a run whose unsplittable reads (the recent window + the incremental gap, plus the first
 *   backfill chunk on a first import) do not fit in what is left today is not started: a
 *   skipped run says when the next one is possible, and the bridge is not called;
 * - a backfill is split across days: each older window is one page with its cursor
 *   committed, and a window is only requested while today's usage is below
 *   (budget − reserve). At that point the run ends successfully with the cursor still in
 *   the backfill; the schedule runs the connection again when the budget refills
 *   (00:00 UTC) and it continues where it stopped. So a 10-year history takes a few days,
 *   never more than 24 requests on any day, and a manual refresh always has its reserve;
 * - scheduled runs never spend the reserve either; the schedule spreads the rest of the
 *   day's budget (lib/sync/budget.ts spacedIntervalMs).
 * A typical day: 4 scheduled refreshes × 1 request; the first import ≈ 7 requests.
 */

export const SF_DAILY_BUDGET = 24;
export const SF_WINDOW_DAYS = 90;
export const SF_RECENT_DAYS = 30;
export const SF_OVERLAP_DAYS = 14;
export const SF_MAX_HISTORY_DAYS = 3650;
/** Requests of each day kept for a manual refresh (scheduled runs and backfill leave them). */
export const SF_MANUAL_RESERVE = 2;

const credentialsSchema = z.object({ accessUrl: z.string().url() });
export type SimplefinCredentials = z.infer<typeof credentialsSchema>;
const linkInput = z.object({ setupToken: z.unknown() });

/**
 * The cursor stored before the shared window adapter: `since` = when the last recent window
 * was read (ms); `back` = the backfill continues before this epoch (s). Migrated on read.
 */
type OldCursor = { p: "recent" | "back"; i?: number; since: number | null; back: number | null };
const LANE = "*";

/** An old cursor in the adapter's form: nothing re-imported, nothing skipped. */
export function migrateSimplefinCursor(old: unknown): WindowCursor | null {
  const c = old as Partial<OldCursor> | null;
  if (!c || (c.p !== "recent" && c.p !== "back")) return null;
  // A first import that had not finished its recent pages: start it again (idempotent).
  if (typeof c.since !== "number") return null;
  const back = typeof c.back === "number" ? epochDay(c.back) : null;
  return { v: 1, accounts: { [LANE]: { head: todayUtc(c.since), back, done: back === null, empties: 0, cu: null } }, run: null };
}

/** Epoch seconds of a day's start (UTC), as the bridge's `start-date`/`end-date` want them. */
const epochOf = (d: IsoDate) => isoDateToUtcMs(d) / 1000;

export type SimplefinConnector = Connector<SimplefinCredentials> & { readonly budget: number; readonly reserve: number };

export function createSimplefinConnector(settings: SimplefinSettings & { store: SimplefinStore; now?: () => number; version?: 1 | 2; budget?: number; reserve?: number }): SimplefinConnector {
  const client = new SimplefinClient(settings);
  const now = () => settings.now?.() ?? Date.now();
  const budget = settings.budget ?? SF_DAILY_BUDGET;
  const reserve = Math.min(settings.reserve ?? SF_MANUAL_RESERVE, budget - 1);
  const store = settings.store;

  /** One request to the bridge, paid for from today's budget first. */
  const request = async (c: SimplefinCredentials, q: AccountsQuery) => {
    const key = tokenKey(c.accessUrl);
    if (await store.isForgotten(key)) throw new ConnectorError("reauth_required", "This SimpleFIN access was disconnected. Link SimpleFIN again with a new setup token.");
    const access = splitAccessUrl(c.accessUrl);
    if (!(await store.reserve(key, now(), budget))) {
      // Only reached when another process spent the budget after this run was planned.
      const next = nextUtcMidnight(now());
      throw new ConnectorError("rate_limited", `SimpleFIN allows ${budget} requests a day and today's are used; ${nextPossible(next)}.`, {
        retryAfterMs: next - now(),
        providerCode: "daily_budget",
      });
    }
    return parseAccountSet(await client.accounts(access, { ...q, version: settings.version ?? 2 }));
  };

  const today = () => todayUtc(now());
  const recentFrom = () => addDays(today(), -SF_RECENT_DAYS);

  /**
   * One run's reads of the bridge (a session's): each recent/catch-up/range answer is kept for
   * the run, so the snapshot's recent read also serves balances and the transaction pages
   * inside it. Backfill answers are not kept (the adapter keeps the last read for its pages),
   * so a long first import does not hold the whole history in memory.
   */
  const runReads = (c: SimplefinCredentials) => {
    const done: { from: IsoDate; to: IsoDate; pending: boolean; accounts?: string[]; parsed: ParsedAccountSet }[] = [];
    return async (from: IsoDate, to: IsoDate, pending: boolean, accounts?: string[]): Promise<ParsedAccountSet> => {
      const hit = done.find((r) => r.pending === pending && r.from <= from && to <= r.to && (!r.accounts || (accounts && accounts.every((a) => r.accounts!.includes(a)))));
      if (hit) return { ...hit.parsed, transactions: hit.parsed.transactions.filter((t) => t.date >= from && t.date <= to) };
      const parsed = await request(c, { startDate: epochOf(from), endDate: epochOf(addDays(to, 1)), ...(pending ? { pending: true } : {}), ...(accounts ? { accounts } : {}) });
      if (pending) done.push({ from, to, pending, ...(accounts ? { accounts } : {}), parsed });
      if (pending) await store.report(tokenKey(c.accessUrl), { messages: parsed.messages, accountWarnings: parsed.warnings, holdings: parsed.holdings });
      return parsed;
    };
  };
  type Reads = ReturnType<typeof runReads>;

  /** The recent window: accounts and balances of this refresh (the first request of a run). */
  const recent = (read: Reads) => read(recentFrom(), today(), true);

  /**
   * Transaction pages, declared on the shared newest-first adapter: one request answers for
   * every account (scope "all"); catch-up reads include pending rows and are complete (window
   * pages), backfill reads are posted-only (no window: a still-pending row there is kept), and
   * a partial run's range reads are window pages only inside the recent window.
   */
  const transactions = (c: SimplefinCredentials, read: Reads) =>
    newestFirstFetch({
      scope: "all",
      read: async ({ from, to, kind, accountIds }) => {
        const backfill = kind === "backfill";
        const p = await read(from, to, !backfill, accountIds);
        return {
          transactions: backfill ? p.transactions.filter((t) => !t.pending) : p.transactions,
          accounts: p.accounts.map((a) => a.providerAccountId),
          // An account the bridge sent no list for (failed) is left untouched. A bridge serves a
          // limited past (often 60–90 days): an answer about an older period is not proof that
          // a stored row there is gone, so a range read before the recent window removes nothing.
          incomplete: backfill || (kind === "range" && from < recentFrom()) ? true : [...p.withoutTransactions],
        };
      },
      today,
      windowDays: SF_WINDOW_DAYS,
      overlapDays: SF_OVERLAP_DAYS,
      recentDays: SF_RECENT_DAYS + 1,
      maxHistoryDays: SF_MAX_HISTORY_DAYS,
      emptyWindowsLimit: 1,
      // Only while today's usage leaves the reserve: otherwise the run ends here, the walk kept.
      mayBackfill: async () => (await store.used(tokenKey(c.accessUrl), now())) < budget - reserve,
      migrate: migrateSimplefinCursor,
    });

  /** Windows needed to read [from, today] — as the adapter splits it. */
  const windowsFrom = (from: IsoDate) => Math.max(1, Math.ceil((daysBetween(from, today()) + 1) / SF_WINDOW_DAYS));

  const byId = (a: { providerAccountId: string }, b: { providerAccountId: string }) => (a.providerAccountId < b.providerAccountId ? -1 : a.providerAccountId > b.providerAccountId ? 1 : 0);

  return {
    id: "simplefin",
    displayName: "SimpleFIN Bridge",
    description: "US banks through your own SimpleFIN Bridge subscription: paste a setup token.",
    budget,
    reserve,
    capabilities: { syncModel: "window", schedule: "auto", maxHistoryDays: null, maxWindowDays: SF_WINDOW_DAYS, supportsPending: true, stableIds: true, consentLifetimeDays: null, rateBudget: { perDay: budget } },
    link: {
      kind: "form",
      fields: [{ name: "setupToken", label: "Setup token", kind: "password", hint: "From your SimpleFIN Bridge: My account → New connection → copy the setup token. It works once." }],
      help: {
        steps: [
          { text: "Sign in to your SimpleFIN Bridge and connect your banks there. No bridge yet?", link: { href: "https://bridge.simplefin.org/simplefin/create", label: "Get one at bridge.simplefin.org" } },
          { text: "Create a new app connection and copy its setup token." },
          { text: "Paste it below. Ledgerlink claims it once and keeps the resulting access encrypted; it is never shown again." },
        ],
        sandboxNotes: [{ text: "Sandbox:", link: { href: "/sandbox/simplefin/create", label: "get a setup token from the local bridge" } }],
        notes: [{ text: "SimpleFIN allows about 24 requests a day per connection; Ledgerlink refreshes a few times a day and never goes past the limit." }],
      },
    },
    // A new setup token replaces the revoked access on the same connection (same accounts, same history).
    reconnect: { kind: "form", label: "Reconnect SimpleFIN", fields: [{ name: "setupToken", label: "New setup token", kind: "password", autoComplete: "off" }] },
    credentialsSchema,

    async completeLink(raw) {
      const p = linkInput.safeParse(raw);
      const claimUrl = decodeSetupToken(p.success ? p.data.setupToken : undefined); // malformed → clear message, no request
      const accessUrl = await client.claim(claimUrl);
      const { host } = splitAccessUrl(accessUrl);
      // No account read here: the first import does it (every request counts against the day's 24).
      return {
        credentials: { accessUrl },
        providerItemId: tokenKey(accessUrl),
        institution: { providerInstitutionId: `simplefin:${host}`, name: "SimpleFIN Bridge", url: `https://${host}` },
        displayName: "SimpleFIN Bridge",
      };
    },

    checkAuth: (c) => probeAuth(() => request(c, { balancesOnly: true, startDate: epochOf(today()), endDate: epochOf(addDays(today(), 1)) })),

    // Outside a sync run (no session): every call is its own request.
    async listAccounts(c) {
      return [...(await recent(runReads(c))).accounts].sort(byId);
    },

    async planRequests(c, { cursor, dateRange }) {
      const used = await store.used(tokenKey(c.accessUrl), now());
      // A partial run: the recent read (accounts, balances) plus each ≤ 90-day window of the
      // range the recent read does not already hold, as the adapter walks it (newest first).
      if (dateRange) {
        const to = dateRange.to && dateRange.to < today() ? dateRange.to : today();
        const from = dateRange.from ?? addDays(today(), -SF_MAX_HISTORY_DAYS);
        let required = 1;
        for (let end = to; end >= from; end = addDays(end, -SF_WINDOW_DAYS)) {
          const windowStart = addDays(end, -(SF_WINDOW_DAYS - 1));
          if ((windowStart > from ? windowStart : from) < recentFrom()) required++;
        }
        return { perDay: budget, used, reserve, required, optional: 0, resetsAt: nextUtcMidnight(now()) };
      }
      const lane = parseWindowCursor(cursor, migrateSimplefinCursor).accounts[LANE];
      const first = !lane?.head;
      // The snapshot reads the recent window; an incremental run re-reads from the last refresh − overlap.
      let required = 1;
      if (lane?.head) {
        const from = addDays(lane.head, -SF_OVERLAP_DAYS);
        if (from < recentFrom()) required += windowsFrom(from);
      }
      const oldest = addDays(today(), -SF_MAX_HISTORY_DAYS);
      const backFrom = first ? recentFrom() : !lane.done && lane.back ? lane.back : null;
      // Upper bound: the bridge usually runs out of history much sooner (an empty window ends the backfill).
      const backfill = backFrom === null ? 0 : Math.max(1, Math.ceil(daysBetween(oldest, backFrom) / SF_WINDOW_DAYS));
      if (first) required += 1; // a first import brings at least one older window
      return { perDay: budget, used, reserve, required, optional: Math.max(0, backfill - (first ? 1 : 0)), resetsAt: nextUtcMidnight(now()) };
    },

    async getBalances(c) {
      return (await recent(runReads(c))).balances;
    },

    fetchTransactions: (c, input: FetchTransactionsInput): Promise<TransactionPage> => transactions(c, runReads(c))(input),

    /** A sync run's session: its reads of the bridge, shared by the snapshot and every page, gone with the run. */
    async openSession(c) {
      const read = runReads(c);
      const pages = transactions(c, read);
      return {
        snapshot: async () => {
          const p = await recent(read);
          return { accounts: [...p.accounts].sort(byId), balances: p.balances };
        },
        fetchTransactions: pages,
        close: async () => {},
      };
    },

    async disconnect(c) {
      // The protocol has no revoke call: we forget the access for good (every later use is refused);
      // the user disables the token at their bridge (the UI says so).
      await store.forget(tokenKey(c.accessUrl));
    },
  };
}
