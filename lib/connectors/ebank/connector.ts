import { addDays, daysBetween, millisecondsInDay, millisecondsInHour, toIsoDate } from "@/lib/dates";
import { z } from "zod";
import type { Connector, FetchTransactionsInput, NormalizedAccount, TransactionPage } from "../contract";
import { ConnectorError, probeAuth } from "../errors";
import { EbankClient, bankDate, bankDateEnd, sessionKey, type EbankSession, type EbankSettings, type PendingOtp, type StatementAccount, type WireAccount } from "./client";
import { normalizeAccount, normalizeBalance, normalizeStatement } from "./normalize";

/**
 * A reverse-engineered e-banking connector (Fibank-style, PROVIDERS.md §6).
 *
 * Sync model: the bank keeps no change log and caps statements at 30 days, so the cursor
 * is our own plan, committed with every page (one page = one 30-day window of one IBAN):
 * 1. catch-up: windows newest-first from today back to the last day we had read (minus an
 *    overlap), so an incremental sync re-reads the last window and sees late changes and
 *    reversals (the newest window is a `window` page: what is missing from it is removed);
 * 2. backfill: 30-day windows walking backwards until the bank says the account did not
 *    exist yet (`acc: []`), a long run of empty windows, or the configured history limit.
 * A crash or an expired session resumes from the last committed window.
 */

export const WINDOW_DAYS = 30;
export const OVERLAP_DAYS = 7;
/** A year without a single entry ends the backfill even if the bank keeps answering. */
export const MAX_EMPTY_WINDOWS = 13;
export const DEFAULT_MAX_HISTORY_DAYS = 3660;

const credentialsSchema = z.object({
  username: z.string().min(1),
  password: z.string().min(1),
  /** The bank's device-trust cookie after a one-time code (so scheduled syncs need no code). */
  deviceToken: z.string().nullable().default(null),
  custId: z.string().min(1),
});
export type EbankCredentials = z.infer<typeof credentialsSchema>;

const linkInput = z.object({
  username: z.string().trim().min(1, "Enter your web banking username.").max(100, "That username is too long."),
  password: z.string().min(1, "Enter your web banking password.").max(200, "That password is too long."),
  otp: z
    .string()
    .trim()
    .regex(/^\d{4,8}$/, "The one-time code is 4 to 8 digits.")
    .optional()
    .or(z.literal("").transform(() => undefined)),
});

type AccountState = { head: string | null; back: string | null; done: boolean; empties: number; cu: string | null };
export type EbankCursor = { v: 1; accounts: Record<string, AccountState>; run: { to: string } | null };

/** The bank's day now (Europe/Sofia): the EU summer-time rule, no tz database needed. */
export function sofiaToday(nowMs: number): string {
  const y = new Date(nowMs).getUTCFullYear();
  const lastSunday = (m: number) => {
    const last = Date.UTC(y, m + 1, 0);
    return last - new Date(last).getUTCDay() * millisecondsInDay + millisecondsInHour;
  };
  const off = nowMs >= lastSunday(2) && nowMs < lastSunday(9) ? 3 : 2;
  return toIsoDate(nowMs + off * millisecondsInHour);
}
/** The bank's UTC offset on a day (statement ranges are sent in the bank's local time). */
function offsetOf(day: string) {
  const t = Date.parse(`${day}T12:00:00Z`);
  const y = new Date(t).getUTCFullYear();
  const lastSunday = (m: number) => {
    const last = Date.UTC(y, m + 1, 0);
    return last - new Date(last).getUTCDay() * millisecondsInDay + millisecondsInHour;
  };
  return t >= lastSunday(2) && t < lastSunday(9) ? "+0300" : "+0200";
}

type Task = { iban: string; kind: "catchup" | "backfill"; from: string; to: string };
/** What a sync run's session listens for. */
type RunHooks = { deviceRotated(deviceToken: string): Promise<void> };

export type EbankConnector = Connector<EbankCredentials> & { readonly client: EbankClient };

export function createEbankConnector(settings: EbankSettings & { maxHistoryDays?: number; institutionName?: string; usernameHint?: string }): EbankConnector {
  const client = new EbankClient(settings);
  const clock = client.clock;
  const maxHistoryDays = settings.maxHistoryDays ?? DEFAULT_MAX_HISTORY_DAYS;
  const institution = { providerInstitutionId: "fibank_bg", name: settings.institutionName ?? "First Investment Bank (web banking)", country: "BG", url: "https://my.fibank.bg" };
  /** Live sessions, in memory only (keyed by a hash of the login, never by the secret). */
  const sessions = new Map<string, EbankSession>();
  /** Logins waiting for a one-time code (link step), by Ledgerlink user + bank username. */
  const pending = new Map<string, PendingOtp>();
  const accountsMemo = new Map<string, { at: number; list: WireAccount[] }>();

  const needsCode = () =>
    new ConnectorError("reauth_required", "The bank needs your one-time code: open Connections and reconnect this bank to enter it. Scheduled syncs wait until then.", { providerCode: "otp_required" });

  async function session(c: EbankCredentials, fresh = false, run?: RunHooks): Promise<EbankSession> {
    const key = sessionKey(c.username, c.password);
    const s = sessions.get(key);
    if (s && !fresh && s.expiresAt - 15_000 > clock.now()) return s;
    sessions.delete(key);
    const out = await client.login(c.username, c.password, c.deviceToken);
    if (out.kind === "otp") throw needsCode();
    // A bank that re-issues its device-trust cookie at each login revokes the old one: the
    // new one must be stored before anything else can fail, or the next login needs a code.
    if (out.deviceToken && out.deviceToken !== c.deviceToken) await run?.deviceRotated(out.deviceToken);
    sessions.set(key, out.session);
    return out.session;
  }

  /** An API call; an ended session or token means one transparent re-login and a second try. */
  async function call<T>(c: EbankCredentials, endpoint: string, query?: Record<string, string>, run?: RunHooks): Promise<T> {
    let s = await session(c, false, run);
    try {
      return await client.api<T>(s, endpoint, query);
    } catch (e) {
      if (!(e instanceof ConnectorError && e.code === "reauth_required" && e.opts.providerCode === "session_expired")) throw e;
      s = await session(c, true, run);
      try {
        return await client.api<T>(s, endpoint, query);
      } catch (e2) {
        if (e2 instanceof ConnectorError && e2.code === "reauth_required") throw new ConnectorError("reauth_required", "The bank keeps ending the session right after login. Reconnect this bank.", { providerCode: "session_loop" });
        throw e2;
      }
    }
  }

  async function accounts(c: EbankCredentials, fresh = false, run?: RunHooks): Promise<WireAccount[]> {
    const key = sessionKey(c.username, c.password);
    const hit = accountsMemo.get(key);
    if (!fresh && hit && clock.now() - hit.at < 120_000) return hit.list;
    const list = await call<WireAccount[]>(c, "sywspicklist/sywspicklist/getFilteredAccounts", undefined, run);
    accountsMemo.set(key, { at: clock.now(), list });
    return list;
  }

  async function statement(c: EbankCredentials, iban: string, from: string, to: string, run?: RunHooks): Promise<StatementAccount | null> {
    if (daysBetween(from, to) >= WINDOW_DAYS) throw new Error("statement window over 30 days");
    const r = await call<{ acc: StatementAccount[] }>(c, "sywsquery/sywsquery/GetCustBal", {
      FromDate: bankDate(from, offsetOf(from)),
      ToDate: bankDateEnd(to, offsetOf(to)),
      Iban: iban,
      StmtType: "T",
      isAccountFromPSD2: "false",
    }, run);
    if (!r.acc?.length) return null;
    if (r.acc.length !== 1) throw new ConnectorError("provider_unavailable", "The bank returned an unexpected statement. We'll retry later.", { providerCode: "acc_count" });
    return r.acc[0]!;
  }

  function nextTask(cur: EbankCursor, order: string[]): Task | null {
    const run = cur.run!;
    const floor = addDays(run.to, -maxHistoryDays);
    for (const iban of order) {
      const a = cur.accounts[iban]!;
      if (a.cu) return { iban, kind: "catchup", from: addDays(a.cu, -(WINDOW_DAYS - 1)), to: a.cu };
    }
    for (const iban of order) {
      const a = cur.accounts[iban]!;
      if (a.done || !a.back) continue;
      const to = addDays(a.back, -1);
      if (to < floor) continue;
      const from = addDays(to, -(WINDOW_DAYS - 1));
      return { iban, kind: "backfill", from: from < floor ? floor : from, to };
    }
    return null;
  }

  async function balances(c: EbankCredentials, run?: RunHooks) {
    const today = sofiaToday(clock.now());
    const out = [];
    for (const a of await accounts(c, false, run)) {
      const st = await statement(c, a.ibanAcNo, today, today, run);
      if (st) out.push(normalizeBalance({ ...st, iban: a.ibanAcNo, ccy: st.ccy || a.ccy }, today));
    }
    return out;
  }

  /**
   * A partial run's date range, read from the bank as exactly that range: 30-day statements
   * per account, newest first, each a window page (what is missing inside it is removed).
   * The cursor is the next window's end; a partial run never stores it.
   */
  async function rangeRead(c: EbankCredentials, list: WireAccount[], cursor: string | null, range: { from?: string; to?: string }, run?: RunHooks): Promise<TransactionPage> {
    const today = sofiaToday(clock.now());
    const to = range.to && range.to < today ? range.to : today;
    const from = range.from ?? addDays(today, -maxHistoryDays);
    const order = list.map((a) => a.ibanAcNo).sort();
    const ccy = new Map(list.map((a) => [a.ibanAcNo, a.ccy]));
    const at = cursor ? (JSON.parse(cursor) as { i: number; to: string }) : { i: 0, to };
    const iban = order[at.i];
    if (!iban || from > to) return { added: [], modified: [], removed: [], nextCursor: null, hasMore: false };
    const start = addDays(at.to, -(WINDOW_DAYS - 1)) < from ? from : addDays(at.to, -(WINDOW_DAYS - 1));
    const st = await statement(c, iban, start, at.to, run);
    const added = st ? normalizeStatement(iban, st.ccy || ccy.get(iban)!, st.stmt) : [];
    const next = start > from ? { i: at.i, to: addDays(start, -1) } : at.i + 1 < order.length ? { i: at.i + 1, to } : null;
    return {
      added,
      modified: [],
      removed: [],
      window: { providerAccountId: iban, from: start, to: at.to },
      nextCursor: next ? JSON.stringify(next) : null,
      hasMore: next !== null,
    };
  }

  async function fetchTransactions(c: EbankCredentials, { cursor, accountIds, dateRange }: FetchTransactionsInput, run?: RunHooks): Promise<TransactionPage> {
    const list = (await accounts(c, false, run)).filter((a) => !accountIds || accountIds.includes(a.ibanAcNo));
    if (dateRange) return rangeRead(c, list, cursor, dateRange, run);
    const order = list.map((a) => a.ibanAcNo).sort();
    const ccy = new Map(list.map((a) => [a.ibanAcNo, a.ccy]));
    const cur: EbankCursor = cursor ? (JSON.parse(cursor) as EbankCursor) : { v: 1, accounts: {}, run: null };
    for (const iban of order) cur.accounts[iban] ??= { head: null, back: null, done: false, empties: 0, cu: null };
    if (!cur.run) {
      cur.run = { to: sofiaToday(clock.now()) };
      for (const iban of order) cur.accounts[iban]!.cu = cur.run.to;
    }
    const task = nextTask(cur, order);
    if (!task) {
      cur.run = null;
      return { added: [], modified: [], removed: [], nextCursor: JSON.stringify(cur), hasMore: false };
    }
    const a = cur.accounts[task.iban]!;
    const st = await statement(c, task.iban, task.from, task.to, run);
    const added = st ? normalizeStatement(task.iban, st.ccy || ccy.get(task.iban)!, st.stmt) : [];
    let window: TransactionPage["window"];
    if (task.kind === "catchup") {
      if (task.to === cur.run.to) window = { providerAccountId: task.iban, from: task.from, to: task.to };
      a.back = !a.back || task.from < a.back ? task.from : a.back;
      if (!a.head || task.from <= addDays(a.head, -OVERLAP_DAYS) || !st) {
        a.head = cur.run.to;
        a.cu = null;
      } else a.cu = addDays(task.from, -1);
    } else {
      a.back = task.from;
      a.empties = added.length ? 0 : a.empties + 1;
      if (!st || a.empties >= MAX_EMPTY_WINDOWS) a.done = true;
    }
    const more = nextTask(cur, order) !== null;
    if (!more) cur.run = null;
    return { added, modified: [], removed: [], nextCursor: JSON.stringify(cur), hasMore: more, ...(window ? { window } : {}) };
  }

  return {
    id: "ebank",
    displayName: "Fibank (web banking login)",
    description: "First Investment Bank through its web banking login: your whole history, 30 days at a time (local sandbox bank).",
    capabilities: {
      syncModel: "cursor",
      // The stored device-trust cookie logs in unattended; when the bank drops it the run ends reauth_required.
      schedule: "auto",
      maxHistoryDays,
      maxWindowDays: WINDOW_DAYS,
      supportsPending: false,
      stableIds: true,
      consentLifetimeDays: null,
      rateBudget: { perMinute: settings.requestsPerMinute ?? 55 },
      oneLoginPerInstitution: false,
    },
    link: {
      kind: "form",
      fields: [
        { name: "username", label: "Web banking username", kind: "text", ...(settings.usernameHint ? { hint: settings.usernameHint } : {}) },
        { name: "password", label: "Web banking password", kind: "password", hint: "Stored encrypted and used only to fetch your statements." },
        { name: "otp", label: "One-time code (if the bank sends you one)", kind: "text", hint: "Leave empty at first; the bank may text you a code to enter here.", autoComplete: "one-time-code" },
      ],
    },
    // After a one-time-code request, a password change or an unlock: submit without a code first; if the bank texts one, enter it and submit again.
    reconnect: {
      kind: "form",
      label: "Reconnect web banking",
      fields: [
        { name: "password", label: "New password (only if you changed it)", kind: "password", autoComplete: "off" },
        { name: "otp", label: "One-time code", kind: "text", autoComplete: "one-time-code" },
      ],
    },
    credentialsSchema: credentialsSchema as unknown as z.ZodType<EbankCredentials>,
    client,

    async completeLink(raw, ctx) {
      // Reconnect: the stored login, a new password if the user typed one, and the code if the bank asks.
      if (ctx.reconnect) {
        const r = (raw ?? {}) as Record<string, unknown>;
        raw = { username: ctx.reconnect.credentials.username, password: typeof r.password === "string" && r.password ? r.password : ctx.reconnect.credentials.password, otp: r.otp };
      }
      const p = linkInput.safeParse(raw);
      if (!p.success) throw new ConnectorError("invalid_request", p.error.issues.map((i) => i.message).join(" "));
      const { username, password, otp } = p.data;
      const pkey = `${ctx.userId}|${username}`;
      for (const [k, v] of pending) if (clock.now() - v.createdAt >= 5 * 60_000) pending.delete(k); // abandoned code steps
      let out;
      const waiting = pending.get(pkey);
      if (otp && waiting && clock.now() - waiting.createdAt < 5 * 60_000) {
        pending.delete(pkey);
        out = await client.submitOtp(waiting, otp);
      } else {
        out = await client.login(username, password, ctx.reconnect?.credentials.username === username ? ctx.reconnect.credentials.deviceToken : null);
        if (out.kind === "otp") {
          if (otp) out = await client.submitOtp(out.pending, otp);
          else {
            pending.set(pkey, out.pending);
            throw new ConnectorError("invalid_request", "The bank sent a one-time code to your phone. Enter it in the one-time code field and submit again.", { providerCode: "otp_required" });
          }
        }
      }
      if (out.kind !== "session") throw needsCode();
      sessions.set(sessionKey(username, password), out.session);
      const custId = out.session.custId;
      return {
        credentials: { username, password, deviceToken: out.deviceToken, custId },
        providerItemId: `fibank:${custId}`,
        institution,
        displayName: institution.name.replace(" (web banking)", ""),
      };
    },

    checkAuth: (c) => probeAuth(() => accounts(c, true)),

    async listAccounts(c): Promise<NormalizedAccount[]> {
      return (await accounts(c, true)).map(normalizeAccount);
    },

    getBalances: (c) => balances(c),

    fetchTransactions: (c, input) => fetchTransactions(c, input),

    /**
     * A sync run's session: the credentials it started with, updated (and stored at once
     * through the engine) when the bank re-issues its device-trust cookie at a login.
     */
    async openSession(c0, ctx) {
      let c = c0;
      const run: RunHooks = {
        deviceRotated: async (deviceToken) => {
          c = { ...c, deviceToken };
          await ctx.saveCredentials(c);
        },
      };
      return {
        snapshot: async () => ({ accounts: (await accounts(c, true, run)).map(normalizeAccount), balances: await balances(c, run) }),
        fetchTransactions: (input) => fetchTransactions(c, input, run),
        close: async () => {},
      };
    },

    async disconnect(c) {
      // Nothing to revoke at a bank that only has a login: end the session, forget it here.
      const key = sessionKey(c.username, c.password);
      const s = sessions.get(key);
      if (s) await client.logout(s);
      sessions.delete(key);
      accountsMemo.delete(key);
    },
  };
}
