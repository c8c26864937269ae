import { addDaysToInstant, startOfUtcDayMs, toIsoDate } from "@/lib/dates";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { buildLedger, type DemoItem, type DemoTransaction } from "../demo/ledger";

/**
 * A local Finqware (classic v1 API, docs.finqware.com): POST /v1/sessions, /v1/sessions/:id/steps
 * (one-time nonce chain), /v1/tokens (temp token → credentials_id + access_token), /v1/accounts/get,
 * /v1/transactions/get (filters incl. timestamp_gte, booking_date_gte/lte; positive amounts + credit_debit_indicator;
 * utx_id stable across consents), the error object {id, type, http, code, message}, consent
 * expiry, a per-account daily access limit (PSD2: 4 reads a day without the user), fault
 * switches, and a local "bank SCA page" that approves or rejects.
 *
 * Public documentation leaves the AIS step names open; here they are `consent` (duration and
 * scope → SCA redirect) and `finalize` (→ temp_token once the user approved at the bank).
 */

function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

export const FQ_CLIENT_ID = "ledgerlink-local";
export const FQ_CLIENT_SECRET = "local-finqware-secret-not-real";
export const FQ_APP_KEY = "local-app-key";
export const DAILY_READS_PER_ACCOUNT = 4;

export const FQ_SKILLS = [
  { skill: "bt_ro_aisp_sbx_#2.0", servicer_id: "bt_ro", name: "Banca Transilvania", country: "RO", bic: "BTRLRO22", max_consent_days: 180, max_history_days: 730 },
  { skill: "ing_ro_aisp_sbx_#1.0", servicer_id: "ing_ro", name: "ING Bank România", country: "RO", bic: "INGBROBU", max_consent_days: 90, max_history_days: 365 },
  { skill: "bcr_ro_aisp_sbx_#1.1", servicer_id: "bcr_ro", name: "Banca Comercială Română", country: "RO", bic: "RNCBROBU", max_consent_days: 180, max_history_days: 540 },
  { skill: "fib_bg_aisp_sbx_#1.0", servicer_id: "fib_bg", name: "First Investment Bank", country: "BG", bic: "FINVBGSF", max_consent_days: 90, max_history_days: 730 },
] as const;

type SessionState = "SESSION_CREATED" | "SESSION_IN_PROGRESS" | "SESSION_COMPLETED" | "SESSION_FAILED";
type Session = {
  id: string;
  tenantUserId: string;
  skill: string;
  nonce: string;
  nonceExpiresAt: number;
  status: SessionState;
  sca: "none" | "pending" | "approved" | "rejected";
  consentDays: number | null;
  returnUrl: string | null;
};
type Credentials = { id: string; accessToken: string; tenantUserId: string; skill: string; consentExp: number; revoked: boolean };

type FqTx = { utx: string; accountIban: string; timestamp: number; tx: DemoTransaction; status: "booked" | "pending" | "cancelled" };

const hash = (s: string) => createHash("sha256").update(s).digest("hex");

export class FinqwareEmulator {
  readonly now: () => number;
  /** When set, the only origin the bank's SCA page may send the user back to (an app registers its redirect URLs). */
  allowedRedirectOrigin: string | null = null;
  /** Where the SCA page is served (so redirects point at the right host). */
  scaBaseUrl = "http://127.0.0.1/sandbox/finqware";
  private readonly sessions = new Map<string, Session>();
  private readonly tempTokens = new Map<string, { sessionId: string; used: boolean }>();
  private readonly creds = new Map<string, Credentials>();
  private readonly ticks = new Map<string, number>(); // per tenant user + skill
  private readonly reads = new Map<string, number>(); // credentials|iban|day → count
  private faults: { http: number; type: string; code: string; times: number }[] = [];
  private accountFaults: { iban: string; http: number; type: string; code: string; times: number }[] = [];
  dailyLimit = DAILY_READS_PER_ACCOUNT;
  /** Every API call (path and its filter, never credentials), for tests that check what reached the bank. */
  readonly requests: { path: string; filter: Record<string, string> | null }[] = [];

  /** The bank's "today" when the emulator started: its history ends here; ticks move it on. */
  private readonly epoch: number;

  constructor(opts: { now?: () => number } = {}) {
    this.now = opts.now ?? Date.now;
    this.epoch = startOfUtcDayMs(this.now());
  }

  // ------------------------------------------------------------ controls
  failNext(http: number, type: string, code: string, times = 1) {
    this.faults.push({ http, type, code, times });
  }
  /** The next `times` transaction reads of this one account (by IBAN) fail; other accounts answer. */
  failAccount(iban: string, http: number, type: string, code: string, times = 1) {
    this.accountFaults.push({ iban, http, type, code, times });
  }
  /** The IBANs of a login's accounts (tests pick one to fail). */
  ibans(tenantUserId: string, skill: string): string[] {
    return [...this.store(tenantUserId, skill).ibans.values()].sort();
  }
  advance(tenantUserId: string, skill: string, ticks = 1) {
    const k = `${tenantUserId}|${skill}`;
    this.ticks.set(k, (this.ticks.get(k) ?? 0) + ticks);
  }
  expire(credentialsId: string) {
    this.creds.get(credentialsId)!.consentExp = this.now() - 1000;
  }
  /** What the bank's SCA page does when the user clicks Approve / Reject. */
  decideSca(sessionId: string, approve: boolean): string | null {
    const s = this.sessions.get(sessionId);
    if (!s || s.sca !== "pending") return null;
    s.sca = approve ? "approved" : "rejected";
    return s.returnUrl;
  }
  sessionStatus(sessionId: string) {
    return this.sessions.get(sessionId);
  }

  // ------------------------------------------------------------ data
  private demoItem(tenantUserId: string, skill: string): DemoItem {
    const seed = parseInt(hash(`${tenantUserId}|${skill}`).slice(0, 8), 16);
    const info = FQ_SKILLS.find((s) => s.skill === skill)!;
    // The bank's data exists independently of any consent (renewals see the same accounts and history).
    return { itemId: `fq-${seed.toString(36)}`, institutionId: info.servicer_id, seed, mode: "default", historyDays: Math.min(info.max_history_days, 400), linkedAt: this.epoch, density: 0.6, tickMs: 60_000 };
  }
  private ibanOf(item: DemoItem, accountId: string) {
    const n = parseInt(hash(`${item.itemId}|${accountId}`).slice(0, 12), 16).toString().padStart(16, "0").slice(0, 16);
    return `RO${String(10 + (item.seed % 89)).padStart(2, "0")}${item.institutionId.slice(0, 4).toUpperCase().padEnd(4, "X")}${n}`;
  }
  /** The bank's transaction store, replayed from the demo ledger: pending→booked keeps the utx_id. */
  private store(tenantUserId: string, skill: string) {
    const item = this.demoItem(tenantUserId, skill);
    const ticks = this.ticks.get(`${tenantUserId}|${skill}`) ?? 0;
    const ledger = buildLedger(item, item.linkedAt + ticks * item.tickMs);
    const accounts = ledger.accounts;
    const ibans = new Map(accounts.map((a) => [a.account_id, this.ibanOf(item, a.account_id)]));
    const utxOf = new Map<string, string>();
    const linkedLater = new Set(ledger.events.flatMap((e) => (e.kind === "add" && e.tx.pending_transaction_id ? [e.tx.pending_transaction_id] : [])));
    const rows = new Map<string, FqTx>();
    // `timestamp` is the insert/change time at Finqware: one second per change, in log order.
    let i = 0;
    for (const e of ledger.events) {
      const eventTime = item.linkedAt + ++i * 1000;
      if (e.kind === "remove") {
        if (linkedLater.has(e.transaction_id)) continue; // becomes the booked version of the same utx
        const utx = utxOf.get(e.transaction_id);
        const r = utx ? rows.get(utx) : undefined;
        if (r) rows.set(utx!, { ...r, status: "cancelled", timestamp: eventTime });
        continue;
      }
      if (!ibans.has(e.tx.account_id)) continue;
      const utx = (e.tx.pending_transaction_id && utxOf.get(e.tx.pending_transaction_id)) || utxOf.get(e.tx.transaction_id) || `utx_${hash(e.tx.transaction_id).slice(0, 24)}`;
      utxOf.set(e.tx.transaction_id, utx);
      rows.set(utx, { utx, accountIban: ibans.get(e.tx.account_id)!, timestamp: eventTime, tx: e.tx, status: e.tx.pending ? "pending" : "booked" });
    }
    return { item, ledger, accounts, ibans, rows };
  }
  /** Ground truth for tests: live (not cancelled) transactions by utx_id. */
  liveTransactions(tenantUserId: string, skill: string) {
    return [...this.store(tenantUserId, skill).rows.values()].filter((r) => r.status !== "cancelled");
  }

  // ------------------------------------------------------------ HTTP
  readonly handle = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const path = url.pathname.replace(/^.*?(?=\/(v1|sca)\/)/, "");
    if (path.startsWith("/sca/")) return this.scaPage(req, path.split("/")[2] ?? "");
    if (req.method !== "POST") return this.error(405, "invalid_request", "method_not_allowed", "Every Finqware call is a POST.");
    const body = (await req.json().catch(() => null)) as Record<string, unknown> | null;
    if (!body) return this.error(400, "invalid_request", "invalid_body", "The body must be JSON.");
    if (path.startsWith("/v1/")) this.requests.push({ path, filter: body.filter && typeof body.filter === "object" ? { ...(body.filter as Record<string, string>) } : null });
    const fault = this.faults[0];
    if (fault && path !== "/v1/sessions") {
      if (--fault.times <= 0) this.faults.shift();
      return this.error(fault.http, fault.type, fault.code, "Injected fault.");
    }
    if (path === "/v1/sessions") return this.createSession(body);
    const m = /^\/v1\/sessions\/([^/]+)\/steps$/.exec(path);
    if (m) return this.step(m[1]!, body);
    if (path === "/v1/tokens") return this.tokens(body);
    if (path === "/v1/accounts/get") return this.accounts(body);
    if (path === "/v1/transactions/get") return this.transactions(body);
    if (path === "/v1/catalog/skills") return this.json(FQ_SKILLS);
    if (path === "/v1/consents/revoke") {
      // Finqware lists consent endpoints without public shapes; this revoke is our inference.
      const c = this.authorise(body);
      if (c instanceof Response) return c;
      c.revoked = true;
      return this.json({ credentials_id: c.id, status: "revoked" });
    }
    return this.error(404, "invalid_request", "not_found", `No route ${path}`);
  };

  private createSession(b: Record<string, unknown>): Response {
    if (b.client_id !== FQ_CLIENT_ID) return this.error(401, "unauthorized", "invalid_api_keys", "Unknown client_id.");
    if (b.client_app_key !== FQ_APP_KEY) return this.error(401, "unauthorized", "invalid_client_app_key", "Unknown client_app_key.");
    if (!FQ_SKILLS.some((s) => s.skill === b.skill)) return this.error(400, "invalid_request", "invalid_skill_name", "Unknown skill.");
    if (typeof b.tenant_user_id !== "string" || !b.tenant_user_id) return this.error(400, "invalid_request", "missing_fields", "tenant_user_id is required.");
    const s: Session = { id: randomUUID(), tenantUserId: b.tenant_user_id, skill: String(b.skill), nonce: randomBytes(16).toString("hex"), nonceExpiresAt: this.now() + 30 * 60_000, status: "SESSION_CREATED", sca: "none", consentDays: null, returnUrl: null };
    this.sessions.set(s.id, s);
    return this.json({ session_id: s.id, nonce: s.nonce, status: s.status });
  }

  private step(id: string, b: Record<string, unknown>): Response {
    const s = this.sessions.get(id);
    if (!s) return this.error(404, "invalid_request", "invalid_session_id", "Unknown session.");
    if (b.client_id !== FQ_CLIENT_ID) return this.error(401, "unauthorized", "invalid_api_keys", "Unknown client_id.");
    if (b.nonce !== s.nonce || this.now() > s.nonceExpiresAt) return this.error(400, "invalid_request", "invalid_nonce", "The nonce was already used, is out of order or expired.");
    const data = (b.data ?? {}) as Record<string, unknown>;
    const next = () => {
      s.nonce = randomBytes(16).toString("hex");
      s.nonceExpiresAt = this.now() + 30 * 60_000;
      return s.nonce;
    };
    const info = FQ_SKILLS.find((k) => k.skill === s.skill)!;
    if (b.step === "consent" && s.status === "SESSION_CREATED") {
      const days = Number(data.consent_days);
      if (!Number.isInteger(days) || days < 1 || days > info.max_consent_days) return this.error(400, "invalid_request", "invalid_field", `consent_days must be 1–${info.max_consent_days} for ${info.name}.`);
      s.consentDays = days;
      s.status = "SESSION_IN_PROGRESS";
      s.sca = "pending";
      const returnUrl = typeof data.redirect_url === "string" ? data.redirect_url : null;
      if (returnUrl !== null && this.allowedRedirectOrigin !== null && !sameOrigin(returnUrl, this.allowedRedirectOrigin))
        return this.error(400, "invalid_request", "invalid_field", "redirect_url must point back to the registered application.");
      s.returnUrl = returnUrl;
      return this.json({ step_id: randomUUID(), nonce: next(), status: s.status, data: { sca_redirect: `${this.scaBaseUrl}/sca/${s.id}` } });
    }
    if (b.step === "finalize" && s.status === "SESSION_IN_PROGRESS") {
      if (s.sca === "pending") return this.json({ step_id: randomUUID(), nonce: next(), status: s.status, data: { sca_status: "pending" } });
      if (s.sca === "rejected") {
        s.status = "SESSION_FAILED";
        return this.error(400, "invalid_request", "tpp_redirect_error", "The customer rejected the consent at the bank.");
      }
      s.status = "SESSION_COMPLETED";
      const temp = `tmp_${randomBytes(16).toString("hex")}`;
      this.tempTokens.set(temp, { sessionId: s.id, used: false });
      return this.json({ step_id: randomUUID(), nonce: next(), status: s.status, data: { temp_token: temp } });
    }
    return this.error(400, "invalid_request", "invalid_step", `Step ${String(b.step)} is not valid now.`);
  }

  private tokens(b: Record<string, unknown>): Response {
    if (b.client_id !== FQ_CLIENT_ID || b.client_secret !== FQ_CLIENT_SECRET) return this.error(401, "unauthorized", "invalid_api_keys", "Invalid client credentials.");
    const t = this.tempTokens.get(String(b.temp_token ?? ""));
    if (!t || t.used) return this.error(401, "unauthorized", "invalid_temp_token", "The temp token is invalid or was used.");
    t.used = true;
    const s = this.sessions.get(t.sessionId)!;
    const c: Credentials = { id: `cred_${randomBytes(8).toString("hex")}`, accessToken: `fq_at_${randomBytes(20).toString("hex")}`, tenantUserId: s.tenantUserId, skill: s.skill, consentExp: addDaysToInstant(this.now(), s.consentDays!).getTime(), revoked: false };
    this.creds.set(c.id, c);
    const info = FQ_SKILLS.find((k) => k.skill === s.skill)!;
    return this.json({ credentials_id: c.id, access_token: c.accessToken, consent_exp: new Date(c.consentExp).toISOString(), max_data_retention: info.max_history_days });
  }

  private authorise(b: Record<string, unknown>): Credentials | Response {
    if (b.client_id !== FQ_CLIENT_ID || b.client_secret !== FQ_CLIENT_SECRET) return this.error(401, "unauthorized", "invalid_api_keys", "Invalid client credentials.");
    const c = this.creds.get(String(b.credentials_id ?? ""));
    if (!c || c.accessToken !== b.access_token) return this.error(400, "invalid_request", "invalid_access_token", "Unknown credentials_id or access_token.");
    if (c.revoked) return this.error(401, "unauthorized", "inactive_credentials", "The consent was revoked.");
    if (this.now() > c.consentExp) return this.error(401, "unauthorized", "expired_credentials", "The consent has expired. Ask the customer for a new one.");
    return c;
  }

  private countRead(c: Credentials, iban: string): boolean {
    const k = `${c.id}|${iban}|${toIsoDate(this.now())}`;
    const n = (this.reads.get(k) ?? 0) + 1;
    if (n > this.dailyLimit) return false;
    this.reads.set(k, n);
    return true;
  }

  private accounts(b: Record<string, unknown>): Response {
    const c = this.authorise(b);
    if (c instanceof Response) return c;
    const st = this.store(c.tenantUserId, c.skill);
    const info = FQ_SKILLS.find((k) => k.skill === c.skill)!;
    const out = [];
    for (const a of st.accounts) {
      const iban = st.ibans.get(a.account_id)!;
      if (!this.countRead(c, iban)) return this.error(429, "external_api_error", "external_api_too_many_requests", "The bank allows 4 reads per account per day without the customer present.");
      const booked = [...st.rows.values()].filter((r) => r.accountIban === iban && r.status === "booked").reduce((s, r) => s + r.tx.amount_cents, a.opening_balance_cents);
      out.push({
        // Finqware's account id is per consent; the IBAN is what identifies the account.
        id: `acc_${hash(`${c.id}|${iban}`).slice(0, 16)}`,
        servicer_id: info.servicer_id,
        servicer_name: info.name,
        timestamp: new Date(this.now()).toISOString(),
        data: {
          account_schemes: [{ scheme_name: "IBAN", identification: iban }, { scheme_name: "BICFI", identification: info.bic }],
          balances: [{ balance_amount: (Math.abs(booked) / 100).toFixed(2), balance_currency: a.currency === "USD" ? "RON" : a.currency, balance_type: "Expected", credit_limit_included: false, credit_debit_indicator: booked < 0 ? "debit" : "credit" }],
          account_type: "Personal",
          account_sub_type: a.subtype === "savings" ? "Savings" : a.type === "credit" ? "CreditCard" : "CurrentAccount",
          currency: a.currency === "USD" ? "RON" : a.currency,
          name: a.name,
          nickname: null,
        },
      });
    }
    return this.json(out);
  }

  private transactions(b: Record<string, unknown>): Response {
    const c = this.authorise(b);
    if (c instanceof Response) return c;
    const f = (b.filter ?? {}) as Record<string, string | undefined>;
    const st = this.store(c.tenantUserId, c.skill);
    const byId = new Map([...st.ibans.values()].map((iban) => [`acc_${hash(`${c.id}|${iban}`).slice(0, 16)}`, iban]));
    const iban = f.account_id ? byId.get(f.account_id) : undefined;
    if (!iban) return this.error(400, "invalid_request", "invalid_field", "filter.account_id is required and must be one of this consent's accounts.");
    const af = this.accountFaults.find((x) => x.iban === iban);
    if (af) {
      if (--af.times <= 0) this.accountFaults = this.accountFaults.filter((x) => x !== af);
      return this.error(af.http, af.type, af.code, "Injected fault for this account.");
    }
    if (!this.countRead(c, iban)) return this.error(429, "external_api_error", "external_api_too_many_requests", "The bank allows 4 reads per account per day without the customer present.");
    for (const d of [f.booking_date_gte, f.booking_date_lte]) if (d !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(d)) return this.error(400, "invalid_request", "invalid_field", "booking dates are YYYY-MM-DD.");
    const gte = f.timestamp_gte ? Date.parse(f.timestamp_gte) : -Infinity;
    const acct = st.accounts.find((a) => st.ibans.get(a.account_id) === iban)!;
    const rows = [...st.rows.values()]
      .filter((r) => r.accountIban === iban && r.timestamp >= gte && (!f.booking_date_gte || r.tx.date >= f.booking_date_gte) && (!f.booking_date_lte || r.tx.date <= f.booking_date_lte))
      .map((r) => ({
        id: `tx_${hash(`${c.id}|${r.utx}`).slice(0, 16)}`,
        utx_id: r.utx,
        account_id: f.account_id,
        timestamp: new Date(r.timestamp).toISOString(),
        data: {
          amount: (Math.abs(r.tx.amount_cents) / 100).toFixed(2),
          credit_debit_indicator: r.tx.amount_cents < 0 ? "debit" : "credit",
          currency: acct.currency === "USD" ? "RON" : acct.currency,
          balance: null,
          booking_date_time: `${r.tx.date}T00:00:00.000Z`,
          info: r.tx.description,
          status: r.status,
          details: { merchant: r.tx.merchant_name, counterparty: r.tx.counterparty, category: r.tx.category },
          exchange_rate: null,
        },
      }));
    return this.json(rows);
  }

  // ------------------------------------------------------------ the bank's SCA page
  private async scaPage(req: Request, id: string): Promise<Response> {
    const s = this.sessions.get(id);
    const info = s ? FQ_SKILLS.find((k) => k.skill === s.skill) : undefined;
    if (!s || !info) return new Response("Unknown session", { status: 404 });
    if (req.method === "POST") {
      const form = await req.formData();
      const back = this.decideSca(id, form.get("decision") === "approve");
      return new Response(null, { status: 303, headers: { location: back ?? "/" } });
    }
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${info.name} — confirm access</title>
<style>body{font-family:system-ui,sans-serif;background:#f3f4f6;display:flex;min-height:100vh;align-items:center;justify-content:center;margin:0}
main{background:#fff;padding:28px;border-radius:14px;max-width:420px;box-shadow:0 10px 30px rgba(0,0,0,.1)}button{padding:10px 16px;border-radius:8px;border:0;font-size:15px;cursor:pointer;margin-right:8px}
.ok{background:#0f766e;color:#fff}.no{background:#e5e7eb}</style></head>
<body><main><p style="font-size:12px;color:#6b7280">${info.name} · secure login (local sandbox)</p><h1 style="font-size:20px">Allow Ledgerlink to read your accounts?</h1>
<p>Access to account details, balances and transactions for <strong>${s.consentDays} days</strong>.</p>
<form method="post"><button class="ok" name="decision" value="approve">Approve</button><button class="no" name="decision" value="reject">Reject</button></form></main></body></html>`;
    return new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } });
  }

  private json(body: unknown): Response {
    return new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
  }
  private error(http: number, type: string, code: string, message: string): Response {
    return new Response(JSON.stringify({ id: randomUUID(), type, http, code, message }), { status: http, headers: { "content-type": "application/json" } });
  }
}

const g = globalThis as unknown as { __ledgerlinkFinqware?: FinqwareEmulator };
export function finqwareEmulator(): FinqwareEmulator {
  g.__ledgerlinkFinqware ??= new FinqwareEmulator();
  return g.__ledgerlinkFinqware;
}
