import { createHash } from "node:crypto";
import { parse } from "parse5";
import { CookieJar } from "tough-cookie";
import { ConnectorError, parseRetryAfter } from "../errors";

/**
 * HTTP client for a Fibank-style e-banking app (PROVIDERS.md §6): no browser, a real
 * cookie jar (tough-cookie), the login form read with an HTML parser (parse5), redirects
 * followed by hand so the access token can be read from the fragment of the authorize
 * redirect. Requests are paced under the bank's per-minute limit.
 *
 * A session (cookies + token) lives in memory only, for as long as the bank keeps it; it
 * is never stored. The only thing kept from a login is the device-trust cookie the bank
 * sets after a one-time code, which goes into the (encrypted) credentials.
 */

export type EbankClock = { now: () => number; sleep: (ms: number) => Promise<void> };
export type EbankSettings = {
  baseUrl: string;
  fetch?: typeof fetch;
  clock?: EbankClock;
  /** Our own pace: stay under the bank's limit (60/min) with a margin. */
  requestsPerMinute?: number;
};

export type EbankSession = { jar: CookieJar; token: string; expiresAt: number; custId: string; lastRequestAt: number };

export type LoginOutcome = { kind: "session"; session: EbankSession; deviceToken: string | null } | { kind: "otp"; pending: PendingOtp };
export type PendingOtp = { jar: CookieJar; action: string; fields: Record<string, string>; createdAt: number };

export type StatementEntry = {
  acEntrySrNo: number | string | null;
  reference?: string;
  acBal?: string;
  amount: string;
  dtkt: "D" | "C" | string;
  dateTime: string;
  valueDt?: string;
  contragent?: string;
  benOrderParty?: string;
  trname?: string;
  trnAccount?: string;
  trnType: string;
  trnCode?: string;
  isEbankOper?: string;
  isPayment?: string;
  loadAsNew?: string;
  remI?: string;
  remIi?: string;
  remIii?: string;
};
export type StatementAccount = { iban: string; ccy: string; acDesc?: string; acyCurrBalance?: string; acyAvlBal?: string; acyOpeningBal?: string; blockedAmount?: string; stmt: StatementEntry[] };
export type WireAccount = { ibanAcNo: string; ccy: string; acDesc?: string; acNo?: string };

export const EBANK_CLIENT_ID = "E_BANK";
const DEVICE_COOKIE = "EBANK_DEVICE";

// ------------------------------------------------------------------ HTML (parse5)

type Node = { nodeName: string; attrs?: { name: string; value: string }[]; childNodes?: Node[]; value?: string };
const attr = (n: Node, name: string) => n.attrs?.find((a) => a.name === name)?.value;
function walk(n: Node, visit: (n: Node) => void) {
  visit(n);
  for (const c of n.childNodes ?? []) walk(c, visit);
  const content = (n as { content?: Node }).content;
  if (content) walk(content, visit);
}
function textOf(n: Node): string {
  let s = "";
  walk(n, (c) => {
    if (c.nodeName === "#text") s += c.value ?? "";
  });
  return s.replace(/\s+/g, " ").trim();
}

export type ParsedPage = {
  forms: { id: string | null; action: string | null; fields: Record<string, string>; names: string[] }[];
  error: string | null;
  meta: Record<string, string>;
};

/** What a connector needs from one of the bank's pages: its forms (with every input's value), its error box and its meta tags. */
export function parsePage(htmlText: string): ParsedPage {
  const doc = parse(htmlText) as unknown as Node;
  const forms: ParsedPage["forms"] = [];
  const meta: Record<string, string> = {};
  let error: string | null = null;
  walk(doc, (n) => {
    if (n.nodeName === "meta" && attr(n, "name")) meta[attr(n, "name")!] = attr(n, "content") ?? "";
    if (n.nodeName === "form") {
      const fields: Record<string, string> = {};
      const names: string[] = [];
      walk(n, (i) => {
        if (i.nodeName !== "input" && i.nodeName !== "select" && i.nodeName !== "textarea") return;
        const name = attr(i, "name");
        if (!name) return;
        names.push(name);
        const type = attr(i, "type") ?? "text";
        if ((type === "checkbox" || type === "radio") && attr(i, "checked") === undefined) return;
        fields[name] = attr(i, "value") ?? "";
      });
      forms.push({ id: attr(n, "id") ?? null, action: attr(n, "action") ?? null, fields, names });
    }
    const cls = attr(n, "class") ?? "";
    if (!error && (attr(n, "role") === "alert" || /\balert-danger\b|\berror-msg\b/.test(cls))) error = textOf(n) || null;
  });
  return { forms, error, meta };
}

/** The bank's local time format for the login form and statement ranges: `2026-11-21T00:00:00+0200`. */
export function bankDate(day: string, offset = "+0200"): string {
  return `${day}T00:00:00${offset}`;
}
export function bankDateEnd(day: string, offset = "+0200"): string {
  return `${day}T23:59:59${offset}`;
}

const LOCKED = /блокиран|locked|blocked/i;

// ------------------------------------------------------------------ client

export class EbankClient {
  private readonly fetchImpl: typeof fetch;
  readonly clock: EbankClock;
  private readonly minIntervalMs: number;
  constructor(private readonly settings: EbankSettings) {
    this.fetchImpl = settings.fetch ?? fetch;
    this.clock = settings.clock ?? { now: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
    this.minIntervalMs = Math.ceil(60_000 / (settings.requestsPerMinute ?? 55));
  }

  private url(path: string) {
    return `${this.settings.baseUrl}${path}`;
  }

  /** One request with the jar's cookies; never follows redirects (the caller does, to see each Location). */
  private async send(jar: CookieJar, url: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Response> {
    const cookie = await jar.getCookieString(url);
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method: init.method ?? "GET",
        redirect: "manual",
        headers: {
          "user-agent": "Mozilla/5.0 (Ledgerlink e-bank connector)",
          "accept-language": "bg",
          ...(cookie ? { cookie } : {}),
          ...(init.body !== undefined ? { "content-type": "application/x-www-form-urlencoded" } : {}),
          ...init.headers,
        },
        body: init.body,
      });
    } catch {
      throw new ConnectorError("provider_unavailable", "Could not reach the bank's web banking.");
    }
    for (const c of res.headers.getSetCookie()) await jar.setCookie(c, url, { ignoreError: true });
    return res;
  }

  private async followToToken(jar: CookieJar, res: Response, from: string): Promise<{ token: string; expiresIn: number }> {
    let url = from;
    for (let hops = 0; hops < 6; hops++) {
      if (res.status < 300 || res.status >= 400) break;
      const location = res.headers.get("location");
      if (!location) break;
      const next = new URL(location, url);
      if (next.hash.includes("access_token=")) {
        const frag = new URLSearchParams(next.hash.slice(1));
        const token = frag.get("access_token");
        if (!token) break;
        return { token, expiresIn: Number(frag.get("expires_in") ?? "300") || 300 };
      }
      url = next.toString();
      res = await this.send(jar, url);
    }
    if (res.status >= 500) throw new ConnectorError("provider_unavailable", "The bank's web banking is not responding right now. We'll retry automatically.", { status: res.status });
    throw new ConnectorError("provider_unavailable", "The bank's login did not hand over access as expected. We'll retry later.", { status: res.status, providerCode: "no_token" });
  }

  /** Read the page's error box into our vocabulary (wrong password, locked user). */
  private loginFailure(page: ParsedPage, status: number): never {
    if (status >= 500) throw new ConnectorError("provider_unavailable", "The bank's web banking is not responding right now. We'll retry automatically.", { status });
    if (status === 403) throw new ConnectorError("provider_unavailable", "The bank refused the login form (its page may have changed). We'll retry later.", { status, providerCode: "csrf" });
    if (page.error && LOCKED.test(page.error)) {
      throw new ConnectorError("invalid_credentials", "The bank has locked this user after too many wrong passwords. Unlock it with the bank (branch or phone), then reconnect here.", { providerCode: "user_locked" });
    }
    if (page.error) throw new ConnectorError("invalid_credentials", "The bank did not accept that username and password. Check them and try again (the bank locks the user after five wrong attempts).", { providerCode: "bad_credentials" });
    throw new ConnectorError("provider_unavailable", "The bank's login page looks different than expected. We'll retry later.", { status, providerCode: "unknown_page" });
  }

  private async finish(jar: CookieJar, res: Response, url: string): Promise<LoginOutcome> {
    const { token, expiresIn } = await this.followToToken(jar, res, url);
    const session: EbankSession = { jar, token, expiresAt: this.clock.now() + expiresIn * 1000, custId: "", lastRequestAt: 0 };
    const q = await this.api<{ customer: { ibCustomerId: string }[] }>(session, "sywsquery/sywsquery/getCustQuery");
    session.custId = String(q.customer[0]?.ibCustomerId ?? "");
    const device = (await jar.getCookies(this.url("/oauth2-server/login"))).find((c) => c.key === DEVICE_COOKIE);
    return { kind: "session", session, deviceToken: device?.value ?? null };
  }

  /** The login dance: login page → POST the form (+ anti-forgery token) → maybe a one-time-code page → authorize → token in the fragment. */
  async login(username: string, password: string, deviceToken?: string | null): Promise<LoginOutcome> {
    const jar = new CookieJar();
    const loginUrl = this.url(`/oauth2-server/login?client_id=${EBANK_CLIENT_ID}`);
    if (deviceToken) await jar.setCookie(`${DEVICE_COOKIE}=${deviceToken}; Path=/`, loginUrl);
    const page = await this.send(jar, loginUrl);
    if (page.status !== 200) this.loginFailure({ forms: [], error: null, meta: {} }, page.status);
    const parsed = parsePage(await page.text());
    const form = parsed.forms.find((f) => f.names.includes("password"));
    if (!form) throw new ConnectorError("provider_unavailable", "The bank's login page looks different than expected. We'll retry later.", { providerCode: "no_form" });
    const fields: Record<string, string> = { ...form.fields, username, password, client_id: EBANK_CLIENT_ID, time: new Date(this.clock.now()).toISOString().replace("Z", "+0000") };
    if (!fields._csrf && parsed.meta._csrf) fields._csrf = parsed.meta._csrf;
    const action = new URL(form.action ?? loginUrl, loginUrl).toString();
    const res = await this.send(jar, action, { method: "POST", body: new URLSearchParams(fields).toString() });
    if (res.status >= 300 && res.status < 400) return this.finish(jar, res, action);
    const next = parsePage(await res.text());
    const otpForm = next.forms.find((f) => f.names.includes("otp"));
    if (res.status === 200 && otpForm) {
      return { kind: "otp", pending: { jar, action: new URL(otpForm.action ?? action, action).toString(), fields: otpForm.fields, createdAt: this.clock.now() } };
    }
    this.loginFailure(next, res.status);
  }

  /** Answer the one-time-code page; asks the bank to trust this "device" so scheduled syncs don't need a code. */
  async submitOtp(pending: PendingOtp, code: string): Promise<LoginOutcome> {
    const res = await this.send(pending.jar, pending.action, { method: "POST", body: new URLSearchParams({ ...pending.fields, otp: code, trustDevice: "on" }).toString() });
    if (res.status >= 300 && res.status < 400) return this.finish(pending.jar, res, pending.action);
    const page = parsePage(await res.text());
    const otpForm = page.forms.find((f) => f.names.includes("otp"));
    if (res.status === 200 && otpForm) {
      throw new ConnectorError("invalid_credentials", "The bank did not accept that one-time code. Check the latest code the bank sent and try again.", { providerCode: "bad_otp" });
    }
    if (res.status === 200 && page.forms.some((f) => f.names.includes("password"))) {
      throw new ConnectorError("invalid_credentials", "The code was entered wrongly too many times, so the bank ended the login. Submit again to get a new code.", { providerCode: "otp_reset" });
    }
    this.loginFailure(page, res.status);
  }

  /** A JSON API call with the bearer token + the session cookie, paced under the bank's limit; waits out one 429. */
  async api<T>(session: EbankSession, endpoint: string, query?: Record<string, string>): Promise<T> {
    const qs = query ? `?${new URLSearchParams(query).toString()}` : "";
    const url = this.url(`/EBank/api/v1/${endpoint}${qs}`);
    for (let attempt = 0; ; attempt++) {
      const wait = session.lastRequestAt + this.minIntervalMs - this.clock.now();
      if (wait > 0) await this.clock.sleep(wait);
      session.lastRequestAt = this.clock.now();
      const res = await this.send(session.jar, url, {
        headers: {
          accept: "application/json, text/plain, */*",
          authorization: `Bearer ${session.token}`,
          "x-requested-with": "XMLHttpRequest",
          "ebank-app-version": "1",
          "ebank-client-time": new Date(this.clock.now()).toISOString(),
          ...(session.custId ? { "ebank-cust-id": session.custId } : {}),
        },
      });
      if (res.ok) return (await res.json()) as T;
      const retryAfterMs = parseRetryAfter(res.headers.get("retry-after"), this.clock.now());
      if (res.status === 429 && attempt === 0 && (retryAfterMs ?? 60_000) <= 61_000) {
        await this.clock.sleep(retryAfterMs ?? 60_000);
        continue;
      }
      let body: { error?: string; errCode?: string; errMsg?: string } = {};
      try {
        body = (await res.json()) as typeof body;
      } catch {
        /* the bank's HTML error page */
      }
      const opts = { status: res.status, providerCode: body.errCode ?? body.error, retryAfterMs };
      if (res.status === 401) throw new ConnectorError("reauth_required", "The bank ended the session.", { ...opts, providerCode: "session_expired" });
      if (res.status === 429) throw new ConnectorError("rate_limited", "The bank asked us to slow down. We'll continue shortly.", opts);
      if (res.status >= 500) throw new ConnectorError("provider_unavailable", "The bank's web banking is not responding right now. We'll retry automatically.", opts);
      if (body.errCode === "EB-STM-030") throw new ConnectorError("invalid_request", "The bank refused a statement longer than 30 days.", opts);
      throw new ConnectorError("invalid_request", "The bank rejected a statement request.", opts);
    }
  }

  async logout(session: EbankSession): Promise<void> {
    await this.send(session.jar, this.url("/oauth2-server/logout"), { method: "POST", body: "" }).catch(() => undefined);
  }
}

/** A key for an in-memory session that never contains the secret itself. */
export function sessionKey(username: string, password: string): string {
  return createHash("sha256").update(`${username}\0${password}`).digest("hex");
}
