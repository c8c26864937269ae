import { daysBetween, millisecondsInDay, millisecondsInHour, toIsoDate } from "@/lib/dates";
import { z } from "zod";
import type { Connector, FetchTransactionsInput, NormalizedAccount, TransactionPage } from "../contract";
import { ConnectorError, isAccountScoped, probeAuth } from "../errors";
import { EbankClient, bankDate, bankDateEnd, sessionKey, type EbankSession, type EbankSettings, type PendingOtp, type StatementAccount, type WireAccount } from "./client";
import { normalizeAccount, normalizeBalance, normalizeStatement } from "./normalize";
import { newestFirstFetch, type WindowCursor } from "@/lib/sync/window-source";
import { withRetry, type RetryPolicy } from "@/lib/sync/retry";

/**
 * A reverse-engineered e-banking connector (Fibank-style, PROVIDERS.md §6).
 *
 * Sync model: the bank keeps no change log and caps statements at 30 days. Transactions are
 * read through the shared newest-first window adapter (lib/sync/window-source.ts), declared
 * in `fetchTransactions` below (one page = one 30-day window of one IBAN, a `window` page:
 * what is missing inside it is removed):
 * 1. catch-up: windows newest-first from today back to the last day we had read (minus an
 *    overlap), so an incremental sync re-reads the last window and sees late changes and reversals;
 * 2. backfill: 30-day windows walking backwards until the bank says the account did not
 *    exist yet (`acc: []`), a long run of empty windows, or the configured history limit.
 * A crash or an expired session resumes from the last committed window.
 *
 * One IBAN the bank cannot answer for (its statements keep failing with a 5xx or are
 * refused) is skipped by the adapter after the engine's retries: the run is partial with a
 * warning for that IBAN, its cursor lane untouched, so the next sync reads what it missed.
 * Login-wide failures (the session cannot be restored, a one-time code, a rate limit) end
 * the run as before. A failing balance read leaves only that IBAN's balance out.
 */

export const WINDOW_DAYS = 30;
export const OVERLAP_DAYS = 7;
/** A year without a single entry ends the backfill even if the bank keeps answering. */
export const MAX_EMPTY_WINDOWS = 13;
export const DEFAULT_MAX_HISTORY_DAYS = 3660;
/** One IBAN's balance read: retried here (the engine retries the whole snapshot), then left out. */
export const BALANCE_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 20_000 };

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

/** The cursor: the shared adapter's (its `v: 1` format is the one this connector always stored). */
export type EbankCursor = WindowCursor;

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

  /** A login's failure is the whole login's, never one account's (isAccountScoped): it ends the run. */
  async function signedIn(c: EbankCredentials, fresh: boolean, run?: RunHooks): Promise<EbankSession> {
    try {
      return await session(c, fresh, run);
    } catch (e) {
      throw e instanceof ConnectorError ? new ConnectorError(e.code, e.message, { ...e.opts, loginWide: true }) : e;
    }
  }

  /** An API call; an ended session or token means one transparent re-login and a second try. */
  async function call<T>(c: EbankCredentials, endpoint: string, query?: Record<string, string>, run?: RunHooks): Promise<T> {
    let s = await signedIn(c, false, run);
    try {
      return await client.api<T>(s, endpoint, query);
    } catch (e) {
      if (!(e instanceof ConnectorError && e.code === "reauth_required" && e.opts.providerCode === "session_expired")) throw e;
      s = await signedIn(c, true, run);
      try {
        return await client.api<T>(s, endpoint, query);
      } catch (e2) {
        if (e2 instanceof ConnectorError && e2.code === "reauth_required") throw new ConnectorError("reauth_required", "The bank keeps ending the session right after login. Reconnect this bank.", { providerCode: "session_loop" });
        throw e2;
      }
    }
  }

  /** The login's accounts (one request; a sync run reads them once, through its session). */
  const accounts = (c: EbankCredentials, run?: RunHooks) => call<WireAccount[]>(c, "sywspicklist/sywspicklist/getFilteredAccounts", undefined, run);

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

  /**
   * Today's balance of each IBAN (a one-day statement). One IBAN failing (after a few tries)
   * leaves only its balance out; its transactions are then skipped with a warning by the
   * adapter. Nothing read at all, or a login-wide error, fails as before.
   */
  async function balances(c: EbankCredentials, list: WireAccount[], run?: RunHooks) {
    const today = sofiaToday(clock.now());
    const out = [];
    let failed: unknown = null;
    let answered = 0;
    for (const a of list) {
      let st: StatementAccount | null;
      try {
        st = await withRetry(() => statement(c, a.ibanAcNo, today, today, run), { ...clock, random: Math.random }, BALANCE_RETRY);
      } catch (e) {
        if (!isAccountScoped(e)) throw e;
        failed ??= e;
        continue;
      }
      answered++;
      if (st) out.push(normalizeBalance({ ...st, iban: a.ibanAcNo, ccy: st.ccy || a.ccy }, today));
    }
    if (failed && !answered) throw failed;
    return out;
  }

  /**
   * Transaction pages through the shared newest-first window adapter (lib/sync/window-source.ts):
   * one statement = one IBAN × at most 30 days; catch-up from today back to the last read day
   * minus the overlap, then the backfill until the bank says the account did not exist yet
   * (`acc: []`), a year of empty windows or the history limit; a partial run's range is asked
   * of the bank as exactly that range.
   */
  function fetchTransactions(c: EbankCredentials, input: FetchTransactionsInput, accountList: () => Promise<WireAccount[]>, run?: RunHooks): Promise<TransactionPage> {
    let list: WireAccount[] = [];
    return newestFirstFetch({
      scope: "account",
      accounts: async () => {
        list = await accountList();
        return list.map((a) => a.ibanAcNo);
      },
      read: async ({ lane: iban, from, to }) => {
        const st = await statement(c, iban, from, to, run);
        if (!st) return { transactions: [], beforeHistory: true };
        return { transactions: normalizeStatement(iban, st.ccy || list.find((a) => a.ibanAcNo === iban)?.ccy || "", st.stmt) };
      },
      today: () => sofiaToday(clock.now()),
      windowDays: WINDOW_DAYS,
      overlapDays: OVERLAP_DAYS,
      maxHistoryDays,
      emptyWindowsLimit: MAX_EMPTY_WINDOWS,
    })(input);
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

    checkAuth: (c) => probeAuth(() => accounts(c)),

    async listAccounts(c): Promise<NormalizedAccount[]> {
      return (await accounts(c)).map(normalizeAccount);
    },

    getBalances: async (c) => balances(c, await accounts(c)),

    // Outside a sync run (no session) each call reads the account list afresh.
    fetchTransactions: (c, input) => fetchTransactions(c, input, () => accounts(c)),

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
      // The run's account list: read once (by the snapshot, or by the first page) and shared by every page.
      let list: Promise<WireAccount[]> | null = null;
      const accountList = () =>
        (list ??= accounts(c, run).catch((e: unknown) => {
          list = null;
          throw e;
        }));
      return {
        snapshot: async () => {
          list = null;
          const wire = await accountList();
          return { accounts: wire.map(normalizeAccount), balances: await balances(c, wire, run) };
        },
        fetchTransactions: (input) => fetchTransactions(c, input, accountList, run),
        close: async () => {},
      };
    },

    async disconnect(c) {
      // Nothing to revoke at a bank that only has a login: end the session, forget it here.
      const key = sessionKey(c.username, c.password);
      const s = sessions.get(key);
      if (s) await client.logout(s);
      sessions.delete(key);
    },
  };
}
