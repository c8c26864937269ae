import { randomBytes } from "node:crypto";
import {
  DAY_MS,
  addDays,
  centsToString,
  daysBetween,
  entriesOf,
  formatBankTime,
  ibanOf,
  settledAt,
  sofiaDay,
  sofiaInstant,
  visibleAt,
  type EbankUser,
  type LedgerEntry,
} from "./ledger";

/**
 * A local e-bank shaped like Fibank's web banking (PROVIDERS.md §6; reverse-engineered,
 * nothing official): a Spring-style `oauth2-server` with an HTML login form (hidden
 * anti-forgery token + JSESSIONID cookie), an optional one-time-code page, the OAuth2
 * implicit grant whose 302 carries the access token in the URL fragment, and the
 * `EBank/api/v1` JSON API that needs both the bearer token and the session cookie.
 *
 * Faithful where it matters for a connector: statements (`GetCustBal`) refuse ranges over
 * 30 days, tokens and idle sessions expire, a per-minute request limit, the bank's HTML
 * error page for a wrong password and a lock after five, 500s from GetCustBal now and then
 * (fault switch), and one account's statements failing while the others answer
 * (`failAccount`: its 500 page, or a 404 with the bank's error body). Error bodies of the JSON API follow Spring Security OAuth2
 * (`{error, error_description}`); the statement-range error shape is [infer].
 */

export const EBANK_CLIENT_ID = "E_BANK";
export const STATEMENT_MAX_DAYS = 30;
export const LOCK_AFTER_FAILURES = 5;

/** Sandbox users (shown in the link form's hint). */
export const EBANK_SANDBOX_USERS: EbankUser[] = [
  {
    username: "ivan.petrov",
    password: "sandbox-pass",
    otp: null,
    seed: 11,
    custId: "1020304",
    name: "ИВАН ПЕТРОВ ПЕТРОВ",
    historyDays: 5 * 365 + 2,
    accounts: [
      { ccy: "EUR", acDesc: "Разплащателна сметка", kind: "current" },
      { ccy: "USD", acDesc: "Спестовна сметка USD", kind: "fx" },
    ],
  },
  {
    username: "maria.code",
    password: "sandbox-pass",
    otp: "246810",
    seed: 23,
    custId: "1020399",
    name: "МАРИЯ ГЕОРГИЕВА",
    historyDays: 2 * 365,
    accounts: [
      { ccy: "EUR", acDesc: "Разплащателна сметка", kind: "current" },
      { ccy: "USD", acDesc: "Спестовна сметка USD", kind: "fx" },
    ],
  },
];

type Session = { id: string; csrf: string; user: string | null; stage: "anon" | "otp" | "auth"; lastSeen: number; otpFailures: number };
type Token = { sid: string; user: string; exp: number };
export type EbankFault = "server_error" | "maintenance" | "rate_limited" | "expire_session" | "require_otp";
/** One account's statements: the bank's 500 page, or a 404 with its JSON error body. */
export type EbankAccountFault = "server_error" | "not_found";

const html = (body: string, status = 200, headers: Record<string, string> = {}) =>
  new Response(`<!doctype html><html lang="bg"><head><meta charset="utf-8"><title>Fibank – Моята банка</title></head>${body}</html>`, {
    status,
    headers: { "content-type": "text/html;charset=UTF-8", ...headers },
  });
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json;charset=UTF-8", ...headers } });
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

function cookiesOf(req: Request): Map<string, string> {
  const m = new Map<string, string>();
  for (const part of (req.headers.get("cookie") ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0) m.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return m;
}

export class EbankEmulator {
  readonly now: () => number;
  /** Prefix the emulator is mounted under (e.g. /sandbox/ebank); redirects and cookies use it. */
  basePath = "";
  tokenTtlSeconds = 300;
  sessionIdleMs = 10 * 60_000;
  requestsPerMinute = 60;
  /** Re-issue the device-trust cookie at every login that presents it, revoking the old one (some banks roll it). */
  rotateDevices = false;
  /** Cookies are marked Secure when served over https (the real bank), not on a plain-http sandbox. */
  private secure = false;

  private readonly users = new Map<string, EbankUser>();
  private readonly sessions = new Map<string, Session>();
  private readonly tokens = new Map<string, Token>();
  private readonly devices = new Map<string, { user: string; exp: number }>();
  private readonly failures = new Map<string, number>();
  private readonly locked = new Set<string>();
  private readonly rate = new Map<string, { window: number; n: number }>();
  private faults: { fault: EbankFault; times: number; user?: string }[] = [];
  private accountFaults: { iban: string; fault: EbankAccountFault; times: number }[] = [];
  private expireAfter: { user: string; requests: number } | null = null;
  private readonly cache = new Map<string, LedgerEntry[]>();
  private readonly reversedByHand = new Set<string>();
  /** The bank's first day: history ends here, later days appear as the clock moves. */
  private readonly epochDay: string;
  /** Every request, for tests (path + query). */
  readonly log: { path: string; query: string; status: number; user: string | null }[] = [];

  constructor(opts: { now?: () => number; users?: EbankUser[] } = {}) {
    this.now = opts.now ?? Date.now;
    this.epochDay = sofiaDay(this.now());
    for (const u of opts.users ?? EBANK_SANDBOX_USERS) this.users.set(u.username, u);
  }

  // ------------------------------------------------------------ controls (sandbox/tests)
  addUser(u: EbankUser) {
    this.users.set(u.username, u);
  }
  failNext(fault: EbankFault, times = 1, user?: string) {
    this.faults.push({ fault, times, user });
  }
  /** The statements (GetCustBal) of this IBAN fail the next `times` requests (default: until cleared); other IBANs answer. */
  failAccount(iban: string, fault: EbankAccountFault = "server_error", times = Infinity) {
    this.accountFaults.push({ iban, fault, times });
  }
  clearAccountFaults() {
    this.accountFaults = [];
  }
  /** Expire the user's sessions and tokens after this many more API requests (mid-backfill expiry). */
  expireAfterRequests(user: string, requests: number) {
    this.expireAfter = { user, requests };
  }
  expireSessions(user: string) {
    for (const [id, s] of this.sessions) if (s.user === user) this.sessions.delete(id);
    for (const [t, tok] of this.tokens) if (tok.user === user) this.tokens.delete(t);
  }
  /** The merchant reverses a payment: the entry disappears from the statement. */
  reverse(user: string, srNo: number) {
    this.reversedByHand.add(`${user}|${srNo}`);
  }
  unlock(user: string) {
    this.locked.delete(user);
    this.failures.delete(user);
  }
  isLocked(user: string) {
    return this.locked.has(user);
  }
  openDay(u: EbankUser) {
    return addDays(this.epochDay, -u.historyDays);
  }
  today() {
    return sofiaDay(this.now());
  }

  /** The statement entries of one account visible now (the ground truth). */
  visibleEntries(username: string, index: number): LedgerEntry[] {
    const u = this.users.get(username)!;
    const today = this.today();
    const key = `${username}|${index}|${today}`;
    let all = this.cache.get(key);
    if (!all) {
      all = entriesOf(u, index, this.openDay(u), today);
      this.cache.set(key, all);
    }
    const now = this.now();
    return all.filter((e) => visibleAt(e, now) && !this.reversedByHand.has(`${username}|${e.srNo}`));
  }
  ibans(username: string): string[] {
    const u = this.users.get(username)!;
    return u.accounts.map((_, i) => ibanOf(u, i));
  }

  private takeFault(f: EbankFault, user: string | null): boolean {
    const i = this.faults.findIndex((x) => x.fault === f && (!x.user || x.user === user));
    if (i < 0) return false;
    if (--this.faults[i]!.times <= 0) this.faults.splice(i, 1);
    return true;
  }

  private cookie(name: string, value: string, maxAgeSec?: number) {
    return `${name}=${value}; Path=${this.basePath || "/"}; HttpOnly${this.secure ? "; Secure" : ""}; SameSite=Lax${maxAgeSec !== undefined ? `; Max-Age=${maxAgeSec}` : ""}`;
  }

  private newSession(): Session {
    const s: Session = { id: randomBytes(16).toString("hex").toUpperCase(), csrf: randomBytes(18).toString("base64url"), user: null, stage: "anon", lastSeen: this.now(), otpFailures: 0 };
    this.sessions.set(s.id, s);
    return s;
  }
  private sessionOf(req: Request): Session | null {
    const id = cookiesOf(req).get("JSESSIONID");
    const s = id ? this.sessions.get(id) : undefined;
    if (!s) return null;
    if (this.now() - s.lastSeen > this.sessionIdleMs) {
      this.sessions.delete(s.id);
      return null;
    }
    s.lastSeen = this.now();
    return s;
  }

  // ------------------------------------------------------------ pages
  private loginPage(s: Session, error?: string, status = 200, extraHeaders: Record<string, string> = {}) {
    return html(
      `<meta name="_csrf" content="${s.csrf}"><meta name="_csrf_header" content="X-CSRF-TOKEN">
<body><main class="login">
<h1>Вход в Моята Fibank</h1>
${error ? `<div class="alert alert-danger" id="loginError" role="alert">${esc(error)}</div>` : ""}
<form id="loginForm" method="post" action="${this.basePath}/oauth2-server/login" autocomplete="off">
<input type="hidden" name="_csrf" value="${s.csrf}">
<input type="hidden" name="client_id" value="${EBANK_CLIENT_ID}">
<label>Потребителско име <input type="text" name="username"></label>
<label>Парола <input type="password" name="password"></label>
<input type="hidden" name="system" value=""><input type="hidden" name="sig" value="">
<input type="hidden" name="lang" value="bg"><input type="hidden" name="time" value="">
<button type="submit">Вход</button>
</form></main></body>`,
      status,
      { "set-cookie": this.cookie("JSESSIONID", s.id), "cache-control": "no-store", ...extraHeaders },
    );
  }
  private otpPage(s: Session, error?: string) {
    return html(
      `<body><main class="otp">
<h1>Код за потвърждение</h1><p>Въведете кода, изпратен на мобилния Ви телефон.</p>
${error ? `<div class="alert alert-danger" id="loginError" role="alert">${esc(error)}</div>` : ""}
<form id="otpForm" method="post" action="${this.basePath}/oauth2-server/otp">
<input type="hidden" name="_csrf" value="${s.csrf}">
<input type="text" name="otp" inputmode="numeric">
<label><input type="checkbox" name="trustDevice" value="on"> Запомни това устройство</label>
<button type="submit">Потвърди</button>
</form></main></body>`,
      200,
      { "cache-control": "no-store" },
    );
  }
  private errorPage(status: number, title: string) {
    return html(`<body><main class="error"><h1>${esc(title)}</h1><p id="errorCode">${status}</p></main></body>`, status);
  }
  private authorizeUrl() {
    return `${this.basePath}/oauth2-server/oauth/authorize?response_type=token&client_id=${EBANK_CLIENT_ID}&redirect_uri=${encodeURIComponent("/EBank/")}&scope=E_BANK&state=${randomBytes(8).toString("hex")}`;
  }

  // ------------------------------------------------------------ handler
  async handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    this.secure = url.protocol === "https:";
    let path = url.pathname;
    if (this.basePath && path.startsWith(this.basePath)) path = path.slice(this.basePath.length) || "/";
    const res = await this.route(req, url, path);
    this.log.push({ path, query: url.search, status: res.status, user: null });
    return res;
  }

  private async route(req: Request, url: URL, path: string): Promise<Response> {
    if (this.takeFault("maintenance", null)) return this.errorPage(503, "Системата е в профилактика. Моля, опитайте по-късно.");

    if (path === "/oauth2-server/login" && req.method === "GET") return this.loginPage(this.sessionOf(req) ?? this.newSession());

    if (path === "/oauth2-server/login" && req.method === "POST") {
      const s = this.sessionOf(req);
      const form = new URLSearchParams(await req.text());
      if (!s || form.get("_csrf") !== s.csrf) return this.errorPage(403, "Invalid CSRF Token was found on the request parameter '_csrf' or header 'X-CSRF-TOKEN'.");
      const username = form.get("username") ?? "";
      const u = this.users.get(username);
      if (u && this.locked.has(username)) return this.loginPage(s, "Потребителят е блокиран след многократно грешно въведена парола. Свържете се с банката.");
      if (!u || form.get("password") !== u.password) {
        if (u) {
          const n = (this.failures.get(username) ?? 0) + 1;
          this.failures.set(username, n);
          if (n >= LOCK_AFTER_FAILURES) {
            this.locked.add(username);
            return this.loginPage(s, "Потребителят е блокиран след многократно грешно въведена парола. Свържете се с банката.");
          }
        }
        return this.loginPage(s, "Грешно потребителско име или парола.");
      }
      this.failures.delete(username);
      // Session fixation protection: a new session id after authentication (as Spring does).
      this.sessions.delete(s.id);
      const fresh: Session = { ...s, id: randomBytes(16).toString("hex").toUpperCase(), user: username, stage: "auth", lastSeen: this.now() };
      const device = cookiesOf(req).get("EBANK_DEVICE");
      const trusted = device && this.devices.get(device)?.user === username && this.devices.get(device)!.exp > this.now();
      const forceOtp = this.takeFault("require_otp", username);
      if ((u.otp && !trusted) || forceOtp) fresh.stage = "otp";
      this.sessions.set(fresh.id, fresh);
      const cookie = { "set-cookie": this.cookie("JSESSIONID", fresh.id) };
      if (fresh.stage === "otp") {
        const page = this.otpPage(fresh);
        page.headers.set("set-cookie", cookie["set-cookie"]);
        return page;
      }
      const headers = new Headers({ location: this.authorizeUrl(), ...cookie });
      if (trusted && this.rotateDevices) {
        // A rolling device-trust cookie: each login with it re-issues it and the old one stops working.
        const d = randomBytes(24).toString("base64url");
        this.devices.set(d, this.devices.get(device)!);
        this.devices.delete(device);
        headers.append("set-cookie", this.cookie("EBANK_DEVICE", d, 90 * 86400));
      }
      return new Response(null, { status: 302, headers });
    }

    if (path === "/oauth2-server/otp" && req.method === "POST") {
      const s = this.sessionOf(req);
      const form = new URLSearchParams(await req.text());
      if (!s || form.get("_csrf") !== s.csrf) return this.errorPage(403, "Invalid CSRF Token was found on the request parameter '_csrf' or header 'X-CSRF-TOKEN'.");
      if (s.stage !== "otp" || !s.user) return new Response(null, { status: 302, headers: { location: `${this.basePath}/oauth2-server/login?client_id=${EBANK_CLIENT_ID}` } });
      const u = this.users.get(s.user)!;
      if (form.get("otp") !== (u.otp ?? "000000")) {
        if (++s.otpFailures >= 3) {
          this.sessions.delete(s.id);
          return this.loginPage(this.newSession(), "Кодът за потвърждение е въведен грешно три пъти. Влезте отново.");
        }
        return this.otpPage(s, "Грешен код за потвърждение.");
      }
      s.stage = "auth";
      const headers = new Headers({ location: this.authorizeUrl() });
      if (form.get("trustDevice") === "on") {
        const d = randomBytes(24).toString("base64url");
        this.devices.set(d, { user: s.user, exp: this.now() + 90 * DAY_MS });
        headers.append("set-cookie", this.cookie("EBANK_DEVICE", d, 90 * 86400));
      }
      return new Response(null, { status: 302, headers });
    }

    if (path === "/oauth2-server/oauth/authorize" && req.method === "GET") {
      const s = this.sessionOf(req);
      const q = url.searchParams;
      if (q.get("client_id") !== EBANK_CLIENT_ID || q.get("response_type") !== "token") return this.errorPage(400, "OAuth Error: invalid_request");
      if (!s || s.stage !== "auth" || !s.user) {
        const anon = s ?? this.newSession();
        return new Response(null, { status: 302, headers: { location: `${this.basePath}/oauth2-server/login?client_id=${EBANK_CLIENT_ID}`, "set-cookie": this.cookie("JSESSIONID", anon.id) } });
      }
      const token = randomBytes(24).toString("base64url");
      this.tokens.set(token, { sid: s.id, user: s.user, exp: this.now() + this.tokenTtlSeconds * 1000 });
      const redirect = q.get("redirect_uri") ?? "/EBank/";
      const frag = new URLSearchParams({ access_token: token, token_type: "bearer", state: q.get("state") ?? "", expires_in: String(this.tokenTtlSeconds), scope: "E_BANK" });
      return new Response(null, { status: 302, headers: { location: `${this.basePath}${redirect}#${frag}` } });
    }

    if (path === "/oauth2-server/logout") {
      const s = this.sessionOf(req);
      if (s) {
        this.sessions.delete(s.id);
        for (const [t, tok] of this.tokens) if (tok.sid === s.id) this.tokens.delete(t);
      }
      return new Response(null, { status: 302, headers: { location: `${this.basePath}/oauth2-server/login?client_id=${EBANK_CLIENT_ID}&logout` } });
    }

    if (path === "/EBank/" || path === "/EBank") {
      return html(`<meta name="EBank_publicToken" content="${randomBytes(12).toString("hex")}"><body><div id="app"></div></body>`);
    }

    if (path.startsWith("/EBank/api/v1/")) return this.api(req, url, path.slice("/EBank/api/v1/".length));
    return this.errorPage(404, "Страницата не е намерена");
  }

  private async api(req: Request, url: URL, endpoint: string): Promise<Response> {
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.get("authorization") ?? "")?.[1];
    const tok = bearer ? this.tokens.get(bearer) : undefined;
    if (!tok) return json({ error: "invalid_token", error_description: "Invalid access token" }, 401, { "www-authenticate": 'Bearer realm="E_BANK", error="invalid_token"' });
    if (tok.exp <= this.now()) {
      this.tokens.delete(bearer!);
      return json({ error: "invalid_token", error_description: "Access token expired" }, 401, { "www-authenticate": 'Bearer realm="E_BANK", error="invalid_token"' });
    }
    const s = this.sessionOf(req);
    if (!s || s.id !== tok.sid) return json({ error: "unauthorized", error_description: "Full authentication is required to access this resource" }, 401);
    const user = this.users.get(tok.user)!;

    if (this.expireAfter && this.expireAfter.user === user.username && --this.expireAfter.requests < 0) {
      this.expireAfter = null;
      this.expireSessions(user.username);
      return json({ error: "invalid_token", error_description: "Access token expired" }, 401);
    }
    if (this.takeFault("expire_session", user.username)) {
      this.expireSessions(user.username);
      return json({ error: "unauthorized", error_description: "Full authentication is required to access this resource" }, 401);
    }

    const minute = Math.floor(this.now() / 60_000);
    const r = this.rate.get(user.username);
    const cur = r && r.window === minute ? r : { window: minute, n: 0 };
    cur.n++;
    this.rate.set(user.username, cur);
    const retryAfter = String(Math.max(1, Math.ceil(((minute + 1) * 60_000 - this.now()) / 1000)));
    if (cur.n > this.requestsPerMinute || this.takeFault("rate_limited", user.username)) {
      return json({ error: "too_many_requests", error_description: `Rate limit of ${this.requestsPerMinute} requests per minute exceeded` }, 429, { "retry-after": retryAfter });
    }

    const q = url.searchParams;
    switch (endpoint) {
      case "sywsquery/sywsquery/getCustQuery":
        return json({ customer: [{ ibCustomerId: user.custId, custName: user.name, custType: "I" }] });
      case "sywspicklist/sywspicklist/getFilteredAccounts": {
        if (req.headers.get("ebank-cust-id") !== user.custId) return json({ error: "access_denied", error_description: "Missing or wrong EBank-Cust-Id" }, 403);
        return json(
          user.accounts.map((a, i) => ({ ibanAcNo: ibanOf(user, i), ccy: a.ccy, acDesc: a.acDesc, acNo: ibanOf(user, i).slice(-10), branchCode: "915", custAcNo: ibanOf(user, i).slice(-10), acStatNoDr: "N", acStatNoCr: "N" })),
        );
      }
      case "sywsquery/sywsquery/GetCustBal": {
        if (req.headers.get("ebank-cust-id") !== user.custId) return json({ error: "access_denied", error_description: "Missing or wrong EBank-Cust-Id" }, 403);
        if (this.takeFault("server_error", user.username)) return this.errorPage(500, "Internal Server Error");
        // `+` in an unencoded offset arrives as a space.
        const from = (q.get("FromDate") ?? "").replace(" ", "+");
        const to = (q.get("ToDate") ?? "").replace(" ", "+");
        const iban = q.get("Iban") ?? "";
        const af = this.accountFaults.findIndex((x) => x.iban === iban);
        if (af >= 0) {
          const { fault } = this.accountFaults[af]!;
          if (--this.accountFaults[af]!.times <= 0) this.accountFaults.splice(af, 1);
          if (fault === "server_error") return this.errorPage(500, "Internal Server Error");
          return json({ errCode: "EB-STM-404", errMsg: "Извлечението по сметката не е достъпно.", status: "E" }, 404);
        }
        const dateRe = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4}$/;
        if (!dateRe.test(from) || !dateRe.test(to) || q.get("StmtType") !== "T") {
          return json({ errCode: "EB-VAL-001", errMsg: "Невалидни параметри на заявката.", status: "E" }, 400);
        }
        const fromDay = from.slice(0, 10);
        const toDay = to.slice(0, 10);
        const span = daysBetween(fromDay, toDay) + 1;
        if (span < 1) return json({ errCode: "EB-VAL-002", errMsg: "Началната дата е след крайната.", status: "E" }, 400);
        if (span > STATEMENT_MAX_DAYS) return json({ errCode: "EB-STM-030", errMsg: `Периодът на извлечението не може да бъде по-дълъг от ${STATEMENT_MAX_DAYS} дни.`, status: "E" }, 400);
        const index = user.accounts.findIndex((_, i) => ibanOf(user, i) === iban);
        if (index < 0) return json({ errCode: "EB-ACC-404", errMsg: "Сметката не е намерена.", status: "E" }, 400);
        return json(this.statement(user, index, fromDay, toDay));
      }
      default:
        return json({ error: "not_found", error_description: `No endpoint ${endpoint}` }, 404);
    }
  }

  /** GetCustBal's body for one account and a range of the bank's days (inclusive). */
  private statement(user: EbankUser, index: number, fromDay: string, toDay: string) {
    const open = this.openDay(user);
    const today = this.today();
    if (toDay < open) return { acc: [] };
    const spec = user.accounts[index]!;
    const iban = ibanOf(user, index);
    const now = this.now();
    const all = this.visibleEntries(user.username, index);
    let bal = 0;
    let opening = 0;
    let debit = 0;
    let credit = 0;
    const rows: Record<string, unknown>[] = [];
    for (const e of all) {
      const day = sofiaDay(e.at);
      if (day < fromDay) {
        bal += e.cents;
        opening = bal;
        continue;
      }
      if (day > toDay) break;
      bal += e.cents;
      if (e.cents < 0) debit -= e.cents;
      else credit += e.cents;
      const settled = settledAt(e, now);
      rows.push({
        acEntrySrNo: e.srNo,
        reference: e.reference,
        acBal: centsToString(bal),
        amount: centsToString(Math.abs(e.cents)),
        dtkt: e.cents < 0 ? "D" : "C",
        dateTime: formatBankTime(e.at),
        valueDt: formatBankTime(settled && e.settles ? e.valueAt + 2 * DAY_MS : e.valueAt),
        contragent: settled ? e.contragent : "",
        benOrderParty: settled ? e.benOrderParty : "",
        trname: e.trname,
        trnAccount: e.trnAccount,
        trnType: e.trnType,
        trnCode: e.trnCode,
        isEbankOper: e.isEbankOper,
        isPayment: e.isPayment,
        loadAsNew: "N",
        remI: e.remI,
        remIi: e.remIi,
        remIii: e.remIii,
      });
    }
    const closing = bal;
    const total = all.reduce((s, e) => s + e.cents, 0);
    const marker = (trnType: string, cents: number, day: string, trname: string) => ({
      acEntrySrNo: null,
      reference: "",
      acBal: centsToString(cents),
      amount: centsToString(Math.abs(cents)),
      dtkt: cents < 0 ? "D" : "C",
      dateTime: formatBankTime(sofiaInstant(day, 0)),
      valueDt: formatBankTime(sofiaInstant(day, 0)),
      trname,
      trnType,
      isEbankOper: "N",
      isPayment: "N",
      loadAsNew: "N",
      remI: "",
      remIi: "",
      remIii: "",
    });
    const lastDay = toDay > today ? today : toDay;
    return {
      acc: [
        {
          iban,
          ccy: spec.ccy,
          acDesc: spec.acDesc,
          acyOpeningBal: centsToString(opening),
          acyCurrBalance: centsToString(total),
          acyAvlBal: centsToString(total),
          blockedAmount: "0.00",
          description: spec.acDesc,
          stmt: [
            marker("OP", opening, fromDay < open ? open : fromDay, "Начално салдо"),
            ...rows,
            marker("DT", -debit, lastDay, "Общо дебит"),
            marker("CT", credit, lastDay, "Общо кредит"),
            marker("CL", closing, lastDay, "Крайно салдо"),
          ],
        },
      ],
    };
  }
}


/** One emulator per process (on globalThis: Next.js may load this module in more than one bundle, e.g. the in-process job worker and the route handlers, and they must share users, sessions and trusted devices). */
export function ebankEmulator(): EbankEmulator {
  const g = globalThis as { __ledgerlinkEbank?: EbankEmulator };
  g.__ledgerlinkEbank ??= new EbankEmulator();
  return g.__ledgerlinkEbank;
}
