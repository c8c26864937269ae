import { z } from "zod";
import type { Connector, NormalizedTransaction, TransactionPage } from "../contract";
import { ConnectorError, probeAuth } from "../errors";
import { decodeSetupToken, SimplefinClient, splitAccessUrl, type AccountsQuery, type SimplefinSettings } from "./client";
import { epochDay, parseAccountSet, type ParsedAccountSet } from "./normalize";
import { tokenKey, type SimplefinStore } from "./state";

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
 *   bridge returns an empty window. A backfill interrupted by the daily budget resumes at
 *   its committed cursor on the next day.
 * A typical day: 4 scheduled refreshes × 1 request; the first import ≈ 7 requests.
 */

export const SF_DAILY_BUDGET = 24;
export const SF_WINDOW_DAYS = 90;
export const SF_RECENT_DAYS = 30;
export const SF_OVERLAP_DAYS = 14;
export const SF_MAX_HISTORY_DAYS = 3650;
const DAY = 86_400;
const MEMO_MS = 10 * 60_000;

const credentialsSchema = z.object({ accessUrl: z.string().url() });
export type SimplefinCredentials = z.infer<typeof credentialsSchema>;
const linkInput = z.object({ setupToken: z.unknown() });

/** The transaction cursor: `since` = when the last recent window was read (ms); `back` = backfill continues before this epoch (s). */
type Cursor = { p: "recent" | "back"; i: number; since: number | null; back: number | null };
type Snapshot = { at: number; start: number; end: number; parsed: ParsedAccountSet };

export type SimplefinConnector = Connector<SimplefinCredentials> & { readonly budget: number };

export function createSimplefinConnector(settings: SimplefinSettings & { store: SimplefinStore; now?: () => number; version?: 1 | 2; budget?: number }): SimplefinConnector {
  const client = new SimplefinClient(settings);
  const now = () => settings.now?.() ?? Date.now();
  const budget = settings.budget ?? SF_DAILY_BUDGET;
  const store = settings.store;
  const memo = new Map<string, Snapshot>();

  /** One request to the bridge, paid for from today's budget first. */
  const request = async (c: SimplefinCredentials, q: AccountsQuery) => {
    const key = tokenKey(c.accessUrl);
    if (await store.isForgotten(key)) throw new ConnectorError("reauth_required", "This SimpleFIN access was disconnected. Link SimpleFIN again with a new setup token.");
    const access = splitAccessUrl(c.accessUrl);
    if (!(await store.reserve(key, now(), budget))) {
      const next = (Math.floor(now() / 86_400_000) + 1) * 86_400_000;
      throw new ConnectorError(
        "rate_limited",
        `SimpleFIN allows ${budget} requests a day and today's are used. The next refresh is possible after ${new Date(next).toISOString().slice(0, 16).replace("T", " ")} UTC.`,
        { retryAfterMs: next - now(), providerCode: "daily_budget" },
      );
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

  const byId = (a: { providerAccountId: string }, b: { providerAccountId: string }) => (a.providerAccountId < b.providerAccountId ? -1 : a.providerAccountId > b.providerAccountId ? 1 : 0);

  return {
    id: "simplefin",
    displayName: "SimpleFIN Bridge",
    description: "US banks through your own SimpleFIN Bridge subscription: paste a setup token.",
    budget,
    capabilities: { syncModel: "window", maxHistoryDays: null, supportsPending: true, stableIds: true, consentLifetimeDays: null, rateBudget: { perDay: budget } },
    link: {
      kind: "form",
      fields: [{ name: "setupToken", label: "Setup token", kind: "password", hint: "From your SimpleFIN Bridge: My account → New connection → copy the setup token. It works once." }],
    },
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

    async getBalances(c) {
      return (await snapshot(c)).parsed.balances;
    },

    async fetchTransactions(c, { cursor, accountIds }): Promise<TransactionPage> {
      const s: Cursor = cursor ? (JSON.parse(cursor) as Cursor) : { p: "recent", i: 0, since: null, back: null };
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
