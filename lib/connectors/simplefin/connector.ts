import { z } from "zod";
import type { Connector, NormalizedTransaction, TransactionPage } from "../contract";
import { ConnectorError, probeAuth } from "../errors";
import { decodeSetupToken, SimplefinClient, splitAccessUrl, type AccountsQuery, type SimplefinSettings } from "./client";
import { epochDay, parseAccountSet, type ParsedAccountSet } from "./normalize";
import { tokenKey, type SimplefinStore } from "./state";
import { nextPossible, nextUtcMidnight } from "@/lib/sync/budget";

/**
 * SimpleFIN Bridge: one endpoint (`GET {access}/accounts`) returns accounts, balances and
 * transactions for a date window. No cursor, no webhooks, about 24 requests a day.
 *
 * How a refresh spends requests (each one reserved in the database before it is sent):
 * - listAccounts reads the RECENT window (last 30 days → tomorrow, pending included); the
 *   same answer serves balances and the first transaction pages, one page per account
 *   marked as a window so that vanished pendings and reversed charges become removals;
 * - an incremental refresh re-reads from the previous refresh minus a 14-day overlap
 *   (only gaps longer than 16 days cost extra requests, ≤ 90 days each);
 * - the first import then walks older history newest-first in 90-day windows until the
 *   bridge returns an empty window.
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
const DAY = 86_400;
const MEMO_MS = 10 * 60_000;

const credentialsSchema = z.object({ accessUrl: z.string().url() });
export type SimplefinCredentials = z.infer<typeof credentialsSchema>;
const linkInput = z.object({ setupToken: z.unknown() });

/** The transaction cursor: `since` = when the last recent window was read (ms); `back` = backfill continues before this epoch (s). */
type Cursor = { p: "recent" | "back"; i: number; since: number | null; back: number | null };
type Snapshot = { at: number; start: number; end: number; parsed: ParsedAccountSet };

export type SimplefinConnector = Connector<SimplefinCredentials> & { readonly budget: number; readonly reserve: number };

export function createSimplefinConnector(settings: SimplefinSettings & { store: SimplefinStore; now?: () => number; version?: 1 | 2; budget?: number; reserve?: number }): SimplefinConnector {
  const client = new SimplefinClient(settings);
  const now = () => settings.now?.() ?? Date.now();
  const budget = settings.budget ?? SF_DAILY_BUDGET;
  const reserve = Math.min(settings.reserve ?? SF_MANUAL_RESERVE, budget - 1);
  const store = settings.store;
  const memo = new Map<string, Snapshot>();

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

  const today0 = () => Math.floor(now() / 1000 / DAY) * DAY;

  /** Read [start, today+1) in ≤ 90-day windows, newest first, merged into one snapshot. */
  const readRecent = async (c: SimplefinCredentials, start: number): Promise<Snapshot> => {
    const end = today0() + DAY;
    let parsed: ParsedAccountSet | null = null;
    for (let hi = end; hi > start; hi -= SF_WINDOW_DAYS * DAY) {
      const lo = Math.max(start, hi - SF_WINDOW_DAYS * DAY);
      const part = await request(c, { startDate: lo, endDate: hi, pending: true });
      if (!parsed) parsed = part;
      else {
        parsed.transactions.push(...part.transactions);
        for (const id of part.withoutTransactions) parsed.withoutTransactions.add(id);
      }
    }
    const snap = { at: now(), start, end, parsed: parsed! };
    memo.set(tokenKey(c.accessUrl), snap);
    await store.report(tokenKey(c.accessUrl), { messages: snap.parsed.messages, accountWarnings: snap.parsed.warnings, holdings: snap.parsed.holdings });
    return snap;
  };
  const snapshot = async (c: SimplefinCredentials, from?: number) => {
    const hit = memo.get(tokenKey(c.accessUrl));
    const need = from ?? today0() - SF_RECENT_DAYS * DAY;
    if (hit && now() - hit.at < MEMO_MS && hit.start <= need) return hit;
    return readRecent(c, Math.min(need, today0() - SF_RECENT_DAYS * DAY));
  };

  const parseCursor = (cursor: string | null): Cursor => (cursor ? (JSON.parse(cursor) as Cursor) : { p: "recent", i: 0, since: null, back: null });
  /** Windows needed to read [start, today+1) — as readRecent splits it. */
  const windowsFrom = (start: number) => Math.max(1, Math.ceil((today0() + DAY - start) / (SF_WINDOW_DAYS * DAY)));

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

    checkAuth: (c) => probeAuth(() => request(c, { balancesOnly: true, startDate: today0(), endDate: today0() + DAY })),

    async listAccounts(c) {
      // Always fresh: the first call of a refresh. Balances and the first pages reuse it.
      const snap = await readRecent(c, today0() - SF_RECENT_DAYS * DAY);
      return [...snap.parsed.accounts].sort(byId);
    },

    async planRequests(c, { cursor }) {
      const used = await store.used(tokenKey(c.accessUrl), now());
      const s = parseCursor(cursor);
      const recentStart = today0() - SF_RECENT_DAYS * DAY;
      // listAccounts reads the recent window; an incremental run re-reads from the last refresh − overlap.
      let required = 1;
      if (s.since !== null) {
        const from = Math.floor(s.since / 1000 / DAY) * DAY - SF_OVERLAP_DAYS * DAY;
        if (from < recentStart) required += windowsFrom(from);
      }
      const oldest = Math.floor(now() / 1000) - SF_MAX_HISTORY_DAYS * DAY;
      const backFrom = s.since === null ? recentStart : s.p === "back" ? s.back : null;
      // Upper bound: the bridge usually runs out of history much sooner (an empty window ends the backfill).
      const backfill = backFrom === null ? 0 : Math.max(1, Math.ceil((backFrom - oldest) / (SF_WINDOW_DAYS * DAY)));
      if (s.since === null) required += 1; // a first import brings at least one older window
      return { perDay: budget, used, reserve, required, optional: Math.max(0, backfill - (s.since === null ? 1 : 0)), resetsAt: nextUtcMidnight(now()) };
    },

    async getBalances(c) {
      return (await snapshot(c)).parsed.balances;
    },

    async fetchTransactions(c, { cursor, accountIds }): Promise<TransactionPage> {
      const s = parseCursor(cursor);
      const wanted = (id: string) => !accountIds || accountIds.includes(id);

      if (s.p === "recent") {
        const from = s.since === null ? undefined : Math.floor(s.since / 1000 / DAY) * DAY - SF_OVERLAP_DAYS * DAY;
        const snap = await snapshot(c, from);
        const list = snap.parsed.accounts.filter((a) => wanted(a.providerAccountId)).sort(byId);
        const acct = list[s.i];
        const page: TransactionPage = { added: [], modified: [], removed: [], nextCursor: null, hasMore: false };
        if (acct) {
          page.added = snap.parsed.transactions.filter((t) => t.providerAccountId === acct.providerAccountId);
          // The window covers everything dated from its start; an account the bridge sent no list for (failed) is left untouched.
          if (!snap.parsed.withoutTransactions.has(acct.providerAccountId)) page.window = { providerAccountId: acct.providerAccountId, from: epochDay(snap.start), to: epochDay(snap.end - 1) };
        }
        if (s.i + 1 < list.length) {
          page.nextCursor = JSON.stringify({ ...s, i: s.i + 1 });
          page.hasMore = true;
          return page;
        }
        const back = s.since === null ? snap.start : s.back;
        const next: Cursor = back !== null ? { p: "back", i: 0, since: snap.at, back } : { p: "recent", i: 0, since: snap.at, back: null };
        page.nextCursor = JSON.stringify(next);
        page.hasMore = next.p === "back";
        return page;
      }

      // Backfill: one older window per page, newest first, until the bridge has nothing more.
      // Only while today's usage leaves the reserve: otherwise end this run here, cursor kept,
      // and continue when the budget refills.
      if ((await store.used(tokenKey(c.accessUrl), now())) >= budget - reserve) {
        return { added: [], modified: [], removed: [], nextCursor: JSON.stringify(s), hasMore: false };
      }
      const hi = s.back!;
      const lo = hi - SF_WINDOW_DAYS * DAY;
      const part = await request(c, { startDate: lo, endDate: hi, accounts: accountIds });
      const added: NormalizedTransaction[] = part.transactions.filter((t) => wanted(t.providerAccountId) && !t.pending);
      const done = part.transactions.length === 0 || lo <= Math.floor(now() / 1000) - SF_MAX_HISTORY_DAYS * DAY;
      const next: Cursor = done ? { p: "recent", i: 0, since: s.since, back: null } : { p: "back", i: 0, since: s.since, back: lo };
      return { added, modified: [], removed: [], nextCursor: JSON.stringify(next), hasMore: !done };
    },

    async disconnect(c) {
      // The protocol has no revoke call: we forget the access for good (every later use is refused);
      // the user disables the token at their bridge (the UI says so).
      const key = tokenKey(c.accessUrl);
      memo.delete(key);
      await store.forget(key);
    },
  };
}
