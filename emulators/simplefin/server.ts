import { startOfUtcDayMs, toIsoDate } from "@/lib/dates";
import { createHash, randomBytes } from "node:crypto";
import { buildLedger, DAY_MS, type DemoItem, type Ledger } from "../demo/ledger";

/**
 * A local SimpleFIN Bridge (protocol v1 + v2, simplefin.org/protocol.html):
 *
 * - setup token = base64 of a claim URL; `POST /claim/:token` returns the Access URL
 *   `https://user:pass@host/simplefin` exactly once (403 when unknown or already claimed);
 * - `GET /accounts` with HTTP Basic; `start-date` (inclusive) / `end-date` (exclusive) in
 *   epoch seconds on `posted` (a pending row, posted = 0, is placed by `transacted_at`);
 *   windows longer than 90 days are refused (400); pending rows only with `pending=1`;
 *   `account=` (repeatable), `balances-only=1`; `version=2` → `errlist` + `connections`
 *   (v1 → `errors` strings + `org`);
 * - a daily quota per access token: 24 requests a day, then a warning in `errors`/`errlist`
 *   on every further request, and from the 31st the token is disabled (403 for good);
 * - fault switches (402, 403, 500, connection and per-account errors);
 * - deterministic data: two institutions (checking, savings and a credit card from the demo
 *   ledger; an auto loan and a brokerage account with holdings), history of 400 days.
 *
 * Emulator choices where the protocol is silent: the 90-day cap answers 400, a missing
 * start-date means the last 30 days, and posted times are midnight New York (05:00 UTC).
 */

export const SF_BASE = "https://bridge.simplefin.local/simplefin";
export const SF_DAILY_QUOTA = 24;
export const SF_DISABLE_AFTER = 30;
export const SF_MAX_WINDOW_DAYS = 90;
export const SF_HISTORY_DAYS = 400;
const TICK_MS = 60_000;

type Access = { user: string; pass: string; historyDays: number; disabled: boolean; ticks: number; perDay: Map<string, number>; log: { at: number; query: string }[]; servesDays?: number };

export type SfTransaction = { id: string; posted: number; amount: string; description: string; payee?: string; memo?: string; transacted_at?: number; pending?: boolean };
export type SfHolding = { id: string; created: number; currency: string; cost_basis: string; description: string; market_value: string; purchase_price: string; shares: string; symbol: string };
type SfAccount = { dates: Map<string, string>; id: string; name: string; currency: string; balance: string; "available-balance": string; "balance-date": number; transactions: SfTransaction[]; holdings: SfHolding[]; conn: (typeof CONNECTIONS)[number] };

export const CONNECTIONS = [
  { conn_id: "CON-platypus", name: "First Platypus Bank", org_id: "ORG-platypus", org_url: "https://platypus.example", domain: "platypus.example" },
  { conn_id: "CON-gopher", name: "Gopher Loans & Brokerage", org_id: "ORG-gopher", org_url: "https://gopher.example", domain: "gopher.example" },
] as const;

const HOLDINGS: Omit<SfHolding, "created">[] = [
  { id: "HOL-vti", currency: "USD", cost_basis: "8400.00", description: "Vanguard Total Stock Market ETF", market_value: "11234.56", purchase_price: "197.65", shares: "42.5", symbol: "VTI" },
  { id: "HOL-bnd", currency: "USD", cost_basis: "7500.00", description: "Vanguard Total Bond Market ETF", market_value: "7215.00", purchase_price: "75.00", shares: "100", symbol: "BND" },
];

const cents = (c: bigint | number) => {
  const v = BigInt(c);
  const neg = v < 0n;
  const a = neg ? -v : v;
  return `${neg ? "-" : ""}${a / 100n}.${String(a % 100n).padStart(2, "0")}`;
};
/** Posted time of a bank day: midnight in New York (EST), i.e. 05:00 UTC of the same date. */
export const postedEpoch = (date: string) => (Date.parse(`${date}T00:00:00Z`) + 5 * 3600_000) / 1000;
const dayStart = startOfUtcDayMs;
const isoDay = toIsoDate;

export class SimplefinEmulator {
  readonly now: () => number;
  readonly base: string;
  private readonly setupTokens = new Map<string, { claimed: boolean; historyDays: number }>();
  private readonly access = new Map<string, Access>();
  private faults: (402 | 403 | 429 | 500)[] = [];
  private readonly connErrors = new Map<string, string[]>();
  private readonly accountErrors = new Map<string, Map<string, string>>();
  private readonly ledgers = new Map<string, Ledger>();
  /** The bridge's "today" at start: history ends here; ticks move time on. */
  private readonly epoch: number;
  /** Days of history before the epoch (SF_HISTORY_DAYS unless set: longer for benches and multi-day backfills). */
  readonly historyDays: number;

  constructor(opts: { now?: () => number; base?: string; historyDays?: number } = {}) {
    this.now = opts.now ?? Date.now;
    this.historyDays = opts.historyDays ?? SF_HISTORY_DAYS;
    this.base = (opts.base ?? SF_BASE).replace(/\/$/, "");
    this.epoch = dayStart(this.now());
  }

  // ------------------------------------------------------------ controls
  /** A new one-time setup token (base64 of the claim URL), like the bridge's "New connection" page. */
  issueSetupToken(opts: { historyDays?: number } = {}): string {
    const id = randomBytes(18).toString("base64url");
    this.setupTokens.set(id, { claimed: false, historyDays: opts.historyDays ?? this.historyDays });
    return Buffer.from(`${this.base}/claim/${id}`).toString("base64");
  }
  failNext(status: 402 | 403 | 429 | 500, times = 1) {
    for (let i = 0; i < times; i++) this.faults.push(status);
  }
  /** A connection-level problem the bridge reports (v1 `errors`, v2 `errlist` con.auth). */
  setConnectionError(user: string, message: string | null) {
    this.connErrors.set(user, message ? [message] : []);
  }
  /** A per-account failure: the account is listed without transactions plus an act.failed entry. */
  setAccountError(user: string, accountId: string, message: string | null) {
    const m = this.accountErrors.get(user) ?? new Map<string, string>();
    if (message) m.set(accountId, message);
    else m.delete(accountId);
    this.accountErrors.set(user, m);
  }
  /** The bridge serves only the last `days` days from now on (a bank feed with a short memory), or everything (null). */
  serveOnlyLast(user: string, days: number | null) {
    this.get(user).servesDays = days ?? undefined;
  }
  advance(user: string, ticks = 1) {
    this.get(user).ticks += ticks;
  }
  disable(user: string) {
    this.get(user).disabled = true;
  }
  isDisabled(user: string) {
    return this.get(user).disabled;
  }
  requestsOn(user: string, day: string) {
    return this.get(user).perDay.get(day) ?? 0;
  }
  requestLog(user: string) {
    return this.get(user).log;
  }
  /** The user of an Access URL (tests). */
  static userOf(accessUrl: string) {
    return decodeURIComponent(new URL(accessUrl).username);
  }
  private get(user: string) {
    const a = this.access.get(user);
    if (!a) throw new Error(`unknown SimpleFIN access ${user}`);
    return a;
  }

  // ------------------------------------------------------------ data
  /** Every account with ALL its live transactions (pending included), as of now. */
  ledger(user: string): SfAccount[] {
    const a = this.get(user);
    const seed = parseInt(createHash("sha256").update("simplefin-sandbox").digest("hex").slice(0, 8), 16);
    const historyDays = a.historyDays;
    const item: DemoItem = { itemId: "sf", institutionId: "demo_platypus", seed, mode: "default", historyDays, linkedAt: this.epoch, density: 0.6, tickMs: TICK_MS };
    // The ledger is a pure function of time (and history length): build it once per tick count.
    const cacheKey = `${historyDays}:${a.ticks}`;
    let ledger = this.ledgers.get(cacheKey);
    if (!ledger) {
      ledger = buildLedger(item, this.epoch + a.ticks * TICK_MS);
      if (this.ledgers.size > 8) this.ledgers.clear();
      this.ledgers.set(cacheKey, ledger);
    }
    const balanceDate = Math.floor(this.now() / 1000);
    const out: SfAccount[] = [];
    const [platypus, gopher] = CONNECTIONS;
    for (const acct of ledger.accounts.filter((x) => x.currency === "USD")) {
      const txs = [...ledger.live.values()].filter((t) => t.account_id === acct.account_id);
      let posted = BigInt(acct.opening_balance_cents);
      let pending = 0n;
      for (const t of txs) {
        if (t.pending) pending += BigInt(t.amount_cents);
        else posted += BigInt(t.amount_cents);
      }
      const available = posted + pending + BigInt(acct.credit_limit_cents ?? 0);
      out.push({
        id: `ACT-${acct.account_id}`,
        name: acct.name,
        currency: "USD",
        balance: cents(posted),
        "available-balance": cents(available),
        "balance-date": balanceDate,
        conn: platypus,
        dates: new Map(txs.map((t) => [t.transaction_id, t.date])),
        holdings: [],
        transactions: txs
          .map((t) => {
            const at = postedEpoch(t.authorized_date ?? t.date);
            return t.pending
              ? { id: t.transaction_id, posted: 0, amount: cents(t.amount_cents), description: t.description, payee: t.merchant_name ?? undefined, transacted_at: at, pending: true }
              : { id: t.transaction_id, posted: postedEpoch(t.date), amount: cents(t.amount_cents), description: t.description, payee: t.merchant_name ?? t.counterparty ?? undefined, transacted_at: at };
          })
          .sort((x, y) => (x.posted || x.transacted_at!) - (y.posted || y.transacted_at!) || (x.id < y.id ? -1 : 1)),
      });
    }
    // Gopher: an auto loan (negative balance, monthly payments) and a brokerage account with holdings.
    const days = Array.from({ length: historyDays }, (_, i) => isoDay(this.epoch - (historyDays - 1 - i) * DAY_MS));
    const loanTx: SfTransaction[] = days.filter((d) => d.endsWith("-12")).map((d) => ({ id: `loan-${d.replaceAll("-", "")}`, posted: postedEpoch(d), amount: "385.20", description: "PAYMENT RECEIVED - THANK YOU" }));
    const loanBalance = -1_850_000n + 38_520n * BigInt(loanTx.length);
    out.push({ id: "ACT-gopher-auto", name: "Auto Loan", currency: "USD", balance: cents(loanBalance), "available-balance": "0.00", "balance-date": balanceDate, conn: gopher, holdings: [], transactions: loanTx, dates: new Map(loanTx.map((t) => [t.id, t.id.replace(/^loan-(\d{4})(\d\d)(\d\d)$/, "$1-$2-$3")])) });
    const divTx: SfTransaction[] = days
      .filter((d) => /-(03|06|09|12)-20$/.test(d))
      .flatMap((d) => [
        { id: `div-${d.replaceAll("-", "")}-vti`, posted: postedEpoch(d), amount: "38.67", description: "DIVIDEND VTI", memo: "Qualified dividend" },
        { id: `div-${d.replaceAll("-", "")}-bnd`, posted: postedEpoch(d), amount: "21.40", description: "DIVIDEND BND" },
      ]);
    out.push({
      id: "ACT-gopher-brokerage",
      name: "Individual Brokerage",
      currency: "USD",
      balance: "18449.56",
      "available-balance": "612.33",
      "balance-date": balanceDate,
      conn: gopher,
      holdings: HOLDINGS.map((h) => ({ ...h, created: Math.floor(this.epoch / 1000) - 86_400 * 300 })),
      transactions: divTx,
      dates: new Map(divTx.map((t) => [t.id, t.id.replace(/^div-(\d{4})(\d\d)(\d\d)-.*$/, "$1-$2-$3")])),
    });
    return out;
  }

  /** Ground truth for tests: every live transaction with its bank day (from the source data, not the wire format). */
  liveTransactions(user: string): { id: string; accountId: string; amount: string; pending: boolean; date: string }[] {
    return this.ledger(user).flatMap((a) => a.transactions.map((t) => ({ id: t.id, accountId: a.id, amount: t.amount, pending: Boolean(t.pending), date: a.dates.get(t.id)! })));
  }

  // ------------------------------------------------------------ HTTP
  readonly handle = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const path = url.pathname.replace(/^.*?\/simplefin(?=\/|$)/, "");
    if (req.method === "GET" && path === "/info") return Response.json({ versions: ["1.0", "2.0"] });
    if (req.method === "GET" && path === "/create") return this.createPage(url);
    if (path.startsWith("/claim/")) return req.method === "POST" ? this.claim(path.slice("/claim/".length)) : text(405, "Method Not Allowed");
    if (req.method === "GET" && path === "/accounts") return this.accounts(req, url);
    return text(404, "Not Found");
  };

  /** `?history=<days>` (1…3650): a bridge with a longer or shorter history for this token (e2e of multi-day backfills). */
  private createPage(url: URL) {
    const h = Number(url.searchParams.get("history"));
    const token = this.issueSetupToken({ historyDays: Number.isInteger(h) && h >= 1 && h <= 3650 ? h : undefined });
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>SimpleFIN Bridge (local sandbox)</title></head><body style="font-family:sans-serif;max-width:40rem;margin:2rem auto">
<h1>New SimpleFIN connection</h1><p>Copy this setup token and paste it into Ledgerlink. It can be claimed once.</p>
<pre data-testid="setup-token" style="white-space:pre-wrap;word-break:break-all;background:#f5f5f4;padding:1rem">${token}</pre></body></html>`;
    return new Response(html, { status: 200, headers: { "content-type": "text/html; charset=utf-8" } });
  }

  private claim(id: string) {
    const t = this.setupTokens.get(decodeURIComponent(id));
    if (!t || t.claimed) return text(403, "Forbidden");
    t.claimed = true;
    const user = `u${randomBytes(6).toString("hex")}`;
    const pass = randomBytes(24).toString("hex");
    this.access.set(user, { user, pass, historyDays: t.historyDays, disabled: false, ticks: 0, perDay: new Map(), log: [] });
    const u = new URL(this.base);
    return text(200, `${u.protocol}//${user}:${pass}@${u.host}${u.pathname}`);
  }

  private accounts(req: Request, url: URL) {
    const auth = req.headers.get("authorization") ?? "";
    const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(auth);
    const [user, pass] = m ? Buffer.from(m[1]!, "base64").toString("utf8").split(":") : [];
    const a = user ? this.access.get(user) : undefined;
    if (!a || a.pass !== pass || a.disabled) return forbidden();
    const day = isoDay(this.now());
    const n = (a.perDay.get(day) ?? 0) + 1;
    a.perDay.set(day, n);
    a.log.push({ at: this.now(), query: url.search });
    if (n > SF_DISABLE_AFTER) {
      a.disabled = true;
      return forbidden();
    }
    const fault = this.faults.shift();
    if (fault === 402) return Response.json({ errors: ["Payment required."], accounts: [] }, { status: 402 });
    if (fault === 403) return forbidden();
    if (fault === 500) return text(500, "Internal Server Error");
    if (fault === 429) return new Response("Too Many Requests", { status: 429, headers: { "retry-after": "1" } });

    const q = url.searchParams;
    const endS = q.has("end-date") ? Number(q.get("end-date")) : Math.floor(this.now() / 1000);
    const startS = q.has("start-date") ? Number(q.get("start-date")) : endS - 30 * 86_400;
    if (!Number.isInteger(startS) || !Number.isInteger(endS) || startS >= endS) return text(400, "start-date and end-date must be epoch seconds with start before end.");
    if (endS - startS > SF_MAX_WINDOW_DAYS * 86_400) return text(400, `The date range may span at most ${SF_MAX_WINDOW_DAYS} days.`);
    const pending = q.get("pending") === "1";
    const balancesOnly = q.get("balances-only") === "1";
    const only = q.getAll("account");
    const v2 = q.get("version") === "2";

    const accountErrors = this.accountErrors.get(user!) ?? new Map<string, string>();
    const connErrors = this.connErrors.get(user!) ?? [];
    const quotaWarning = n > SF_DAILY_QUOTA ? [`You have made ${n} requests today. More than ${SF_DAILY_QUOTA} a day will disable this access token.`] : [];
    const all = this.ledger(user!);
    const served = this.access.get(user!)?.servesDays;
    const horizonS = served === undefined ? -Infinity : Math.floor(this.now() / 1000) - served * 86_400;
    const accounts = all
      .filter((x) => !only.length || only.includes(x.id))
      .map((x) => {
        const txs = balancesOnly || accountErrors.has(x.id)
          ? undefined
          : x.transactions.filter((t) => {
              if (t.pending && !pending) return false;
              const at = t.posted || t.transacted_at || 0;
              return at >= startS && at < endS && at >= horizonS;
            });
        const base = { id: x.id, name: x.name, currency: x.currency, balance: x.balance, "available-balance": x["available-balance"], "balance-date": x["balance-date"], ...(txs ? { transactions: txs } : {}), holdings: x.holdings };
        return v2
          ? { ...base, conn_id: x.conn.conn_id, conn_name: x.conn.name }
          : { org: { domain: x.conn.domain, name: x.conn.name, "sfin-url": this.base, url: x.conn.org_url, id: x.conn.org_id }, ...base };
      });
    if (v2) {
      const errlist = [
        ...quotaWarning.map((msg) => ({ code: "gen.api", msg })),
        ...connErrors.map((msg) => ({ code: "con.auth", msg, conn_id: CONNECTIONS[0].conn_id })),
        ...[...accountErrors].map(([account_id, msg]) => ({ code: "act.failed", msg, account_id, conn_id: all.find((x) => x.id === account_id)?.conn.conn_id })),
      ];
      const connections = CONNECTIONS.map((c) => ({ conn_id: c.conn_id, name: c.name, org_id: c.org_id, org_url: c.org_url, sfin_url: this.base }));
      return Response.json({ errlist, connections, accounts });
    }
    return Response.json({ errors: [...quotaWarning, ...connErrors, ...[...accountErrors.values()]], accounts });
  }
}

const text = (status: number, body: string) => new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
const forbidden = () => new Response("<!doctype html><html><head><title>Forbidden - SimpleFIN Bridge</title></head><body><h1>Forbidden</h1><p>Access denied</p></body></html>", { status: 403, headers: { "content-type": "text/html; charset=utf-8" } });

const g = globalThis as unknown as { __simplefinEmulator?: SimplefinEmulator };
/** The sandbox's one SimpleFIN Bridge (kept across hot reloads). */
export function simplefinEmulator(): SimplefinEmulator {
  return (g.__simplefinEmulator ??= new SimplefinEmulator());
}
