import { createHash, createHmac, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { balancesOf, buildLedger, type DemoAccount, type DemoItem, type DemoTransaction } from "../demo/ledger";
import { createTestPki, type TestPki } from "./pki";

/**
 * A local Teller (2020-10-12 API): GET /accounts, /accounts/:id, /details, /balances,
 * /transactions (newest first, count + from_id, start_date/end_date), /identity, DELETE /accounts[/:id];
 * HTTP Basic with the access token as username; mutual TLS enforced when configured
 * (no client certificate → Teller's 400 bad_request); Teller's error envelope and
 * statuses (403 revoked/disconnected, 410 closed account, 502 institution error);
 * sandbox users (username, otp → 0000, challenge → blue, disconnected); webhooks signed
 * `Teller-Signature: t=…,v1=…` with one v1 per secret during rotation; fault switches.
 *
 * The Connect back end (what Teller Connect's hosted pages do) is served separately,
 * over plain HTTP, for the offline Connect stand-in.
 */

export const TELLER_APP_ID = "app_ledgerlink_local";
export const SANDBOX_PASSWORD = "password";

type Enrollment = {
  id: string;
  userId: string;
  accessToken: string;
  institution: { id: string; name: string };
  demo: DemoItem;
  ticks: number;
  disconnectOnFirstRequest: string | null;
  disconnected: string | null;
  revoked: boolean;
  closedAccounts: Set<string>;
  revokedAccounts: Set<string>;
};

type Fault = { status: number; code: string; message: string; path: RegExp; times: number };
type MfaSession = { id: string; username: string; institutionId: string; enrollmentId: string | null; field: "code" | "answer"; nonce: string | null };

export const TELLER_INSTITUTIONS = [
  { id: "chase", name: "Chase" },
  { id: "bank_of_america", name: "Bank of America" },
  { id: "capital_one", name: "Capital One" },
] as const;

const CATEGORY: Record<string, string> = {
  Groceries: "groceries",
  Restaurants: "dining",
  Rent: "home",
  Utilities: "utilities",
  Phone: "phone",
  Income: "income",
  Interest: "income",
  Transfer: "general",
  "Credit card payment": "loan",
  Fees: "service",
  Shopping: "shopping",
  "General merchandise": "shopping",
  Transport: "transportation",
  Cash: "general",
  Entertainment: "entertainment",
  Software: "software",
  News: "service",
};

const TYPE: Record<DemoTransaction["type"], string> = {
  card: "card_payment",
  transfer: "transfer",
  fee: "fee",
  interest: "interest",
  deposit: "deposit",
  payment: "ach",
  direct_debit: "ach",
};

const short = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 20);

export class TellerEmulator {
  readonly now: () => number;
  requireClientCert: boolean;
  webhookSecrets: string[];
  webhookUrl: string | null = null;
  /** The sandbox token-signing key: Connect enrollments opened with a nonce are signed with it (Ed25519). */
  private readonly tokenSigning = generateKeyPairSync("ed25519");
  /** Its public half as Teller's dashboard shows it: 32 raw bytes, base64 (TELLER_TOKEN_SIGNING_KEY). */
  readonly tokenSigningPublicKey = Buffer.from((this.tokenSigning.publicKey.export({ format: "jwk" }) as { x: string }).x, "base64url").toString("base64");
  private readonly deliver: (url: string, body: string, headers: Record<string, string>) => Promise<void>;
  private readonly enrollments = new Map<string, Enrollment>();
  private readonly byToken = new Map<string, Enrollment>();
  private readonly mfa = new Map<string, MfaSession>();
  private faults: Fault[] = [];
  readonly sentWebhooks: { body: string; headers: Record<string, string> }[] = [];
  historyDays: number;

  constructor(opts: { now?: () => number; requireClientCert?: boolean; webhookSecrets?: string[]; historyDays?: number; deliver?: TellerEmulator["deliver"] } = {}) {
    this.now = opts.now ?? Date.now;
    this.requireClientCert = opts.requireClientCert ?? true;
    this.webhookSecrets = opts.webhookSecrets ?? [`whsec_${randomBytes(16).toString("hex")}`];
    this.historyDays = opts.historyDays ?? 120;
    this.deliver =
      opts.deliver ??
      (async (url, body, headers) => {
        await fetch(url, { method: "POST", body, headers }).catch(() => undefined);
      });
  }

  // ------------------------------------------------------------ controls (fault switches, sandbox)

  failNext(status: number, code: string, opts: { path?: RegExp; times?: number; message?: string } = {}): void {
    this.faults.push({ status, code, message: opts.message ?? code, path: opts.path ?? /.*/, times: opts.times ?? 1 });
  }
  /** Faults injected and not yet triggered. */
  get pendingFaults(): number {
    return this.faults.length;
  }
  advance(enrollmentId: string, ticks = 1): void {
    this.enrollments.get(enrollmentId)!.ticks += ticks;
  }
  closeAccount(enrollmentId: string, accountId: string): void {
    this.enrollments.get(enrollmentId)!.closedAccounts.add(accountId);
  }
  /** Simulate the bank cutting the enrollment off (and tell the app). */
  disconnect(enrollmentId: string, reason = "disconnected.credentials_invalid"): Promise<void> {
    const e = this.enrollments.get(enrollmentId)!;
    e.disconnected = reason;
    return this.fire("enrollment.disconnected", { enrollment_id: e.id, reason });
  }
  enrollmentFor(accessToken: string) {
    return this.byToken.get(accessToken);
  }
  listEnrollments() {
    return [...this.enrollments.values()].map((e) => ({ id: e.id, access_token: e.accessToken, institution: e.institution.name, disconnected: e.disconnected, revoked: e.revoked }));
  }
  /** Live transactions as Teller reports them (ground truth), newest first. */
  transactionsOf(accessToken: string): ReturnType<TellerEmulator["tellerTransaction"]>[] {
    const e = this.byToken.get(accessToken)!;
    return this.accountsOf(e).flatMap((a) => this.accountTransactions(e, a.id));
  }

  // ------------------------------------------------------------ shapes

  private ledger(e: Enrollment) {
    return buildLedger(e.demo, e.demo.linkedAt + e.ticks * e.demo.tickMs);
  }
  private accountId(e: Enrollment, a: DemoAccount) {
    return `acc_${short(`${e.id}:${a.account_id}`)}`;
  }
  private accountsOf(e: Enrollment) {
    const ledger = this.ledger(e);
    return ledger.accounts
      .map((a) => {
        const id = this.accountId(e, a);
        return {
          id,
          enrollment_id: e.id,
          name: a.name,
          type: a.type,
          subtype: a.subtype === "credit card" ? "credit_card" : a.subtype,
          status: e.closedAccounts.has(id) ? "closed" : "open",
          currency: a.currency,
          last_four: a.mask,
          institution: e.institution,
          links: {
            self: `/accounts/${id}`,
            details: `/accounts/${id}/details`,
            balances: `/accounts/${id}/balances`,
            transactions: `/accounts/${id}/transactions`,
          },
          _demo: a,
        };
      })
      .filter((a) => !e.revokedAccounts.has(a.id));
  }
  private tellerTransaction(accountId: string, t: DemoTransaction) {
    const id = `txn_${short(t.transaction_id)}`;
    return {
      id,
      account_id: accountId,
      amount: (t.amount_cents / 100).toFixed(2),
      date: t.date,
      description: t.description,
      status: t.pending ? "pending" : "posted",
      type: TYPE[t.type],
      running_balance: null,
      details: {
        processing_status: t.pending ? "pending" : "complete",
        category: CATEGORY[t.category] ?? "general",
        counterparty: t.merchant_name ? { name: t.merchant_name.toUpperCase(), type: "organization" } : t.counterparty ? { name: t.counterparty, type: "person" } : { name: null, type: null },
      },
      links: { self: `/accounts/${accountId}/transactions/${id}`, account: `/accounts/${accountId}` },
    };
  }
  private accountTransactions(e: Enrollment, accountId: string) {
    const acct = this.accountsOf(e).find((a) => a.id === accountId)!;
    const ledger = this.ledger(e);
    return [...ledger.live.values()]
      .filter((t) => t.account_id === acct._demo.account_id)
      .map((t) => this.tellerTransaction(accountId, t))
      .sort((a, b) => (a.date === b.date ? (a.id < b.id ? 1 : -1) : a.date < b.date ? 1 : -1));
  }
  private publicAccount(a: ReturnType<TellerEmulator["accountsOf"]>[number]) {
    const { _demo, ...rest } = a;
    return rest;
  }

  // ------------------------------------------------------------ the API

  /** The last API requests' paths with their query (tests check what reached the provider); bounded. */
  readonly requestLog: string[] = [];

  readonly handle = async (req: Request, tls: { clientCertificate: boolean }): Promise<Response> => {
    const url = new URL(req.url);
    this.requestLog.push(`${req.method} ${url.pathname}${url.search}`);
    if (this.requestLog.length > 500) this.requestLog.splice(0, this.requestLog.length - 500);
    if (this.requireClientCert && !tls.clientCertificate)
      return this.error(400, "bad_request", "Missing certificate: Retry request using your Teller client certificate.");
    const auth = req.headers.get("authorization") ?? "";
    if (!auth.startsWith("Basic ")) return this.error(401, "unauthorized", "Missing access token. Use HTTP Basic auth with the access token as the username.");
    const token = Buffer.from(auth.slice(6), "base64").toString("utf8").replace(/:$/, "");
    const e = this.byToken.get(token);
    if (!e || e.revoked) return this.error(403, "forbidden", "The access token is invalid or was revoked.");
    const fault = this.faults.find((f) => f.path.test(url.pathname + url.search));
    if (fault) {
      if (--fault.times <= 0) this.faults = this.faults.filter((f) => f !== fault);
      return this.error(fault.status, fault.code, fault.message);
    }
    if (e.disconnectOnFirstRequest) {
      e.disconnected = e.disconnectOnFirstRequest;
      e.disconnectOnFirstRequest = null;
      void this.fire("enrollment.disconnected", { enrollment_id: e.id, reason: e.disconnected });
    }
    if (e.disconnected) return this.error(403, `enrollment.${e.disconnected}`, "The enrollment is disconnected. Ask the user to reconnect with Teller Connect.");

    const parts = url.pathname.split("/").filter(Boolean);
    if (req.method === "DELETE" && parts.length === 1 && parts[0] === "accounts") {
      e.revoked = true;
      return new Response(null, { status: 204 });
    }
    if (req.method === "GET" && url.pathname === "/accounts") return this.json(this.accountsOf(e).map((a) => this.publicAccount(a)));
    if (req.method === "GET" && url.pathname === "/identity") {
      return this.json(
        this.accountsOf(e).map((a) => ({
          account: this.publicAccount(a),
          owners: [
            {
              type: "person",
              names: [{ type: "name", data: "Jackie Sandbox" }],
              addresses: [{ primary: true, data: { street: "1 Market St", city: "San Francisco", region: "CA", postal_code: "94105", country: "US" } }],
              phone_numbers: [{ type: "mobile", data: "+14155550100" }],
              emails: [{ data: "jackie@example.com" }],
            },
          ],
        })),
      );
    }
    if (parts[0] === "accounts" && parts[1]) {
      const acct = this.accountsOf(e).find((a) => a.id === parts[1]);
      if (!acct) return this.error(404, "not_found", "No such account.");
      if (req.method === "DELETE" && parts.length === 2) {
        e.revokedAccounts.add(acct.id);
        return new Response(null, { status: 204 });
      }
      if (acct.status === "closed" && parts.length > 2) return this.error(410, "gone", "The account is closed.");
      if (parts.length === 2) return this.json(this.publicAccount(acct));
      if (parts[2] === "details") {
        return this.json({ account_id: acct.id, account_number: `${acct._demo.mask}0000${acct._demo.mask}`, routing_numbers: { ach: "021000021", wire: null, bacs: null }, links: { self: `/accounts/${acct.id}/details`, account: `/accounts/${acct.id}` } });
      }
      if (parts[2] === "balances") {
        const b = balancesOf(this.ledger(e)).get(acct._demo.account_id)!;
        const credit = acct.type === "credit";
        return this.json({
          account_id: acct.id,
          // Teller reports what is owed on a credit card as a positive ledger balance.
          ledger: ((credit ? -b.current : b.current) / 100).toFixed(2),
          available: (b.available / 100).toFixed(2),
          links: { self: `/accounts/${acct.id}/balances`, account: `/accounts/${acct.id}` },
        });
      }
      if (parts[2] === "transactions") {
        const startDate = url.searchParams.get("start_date");
        const endDate = url.searchParams.get("end_date");
        for (const d of [startDate, endDate]) if (d !== null && !/^\d{4}-\d{2}-\d{2}$/.test(d)) return this.error(422, "unprocessable_entity", "start_date and end_date must be YYYY-MM-DD");
        const all = this.accountTransactions(e, acct.id).filter((t) => parts[3] || ((!startDate || t.date >= startDate) && (!endDate || t.date <= endDate)));
        if (parts[3]) {
          const t = all.find((x) => x.id === parts[3]);
          return t ? this.json(t) : this.error(404, "not_found", "No such transaction.");
        }
        const countRaw = url.searchParams.get("count");
        const count = countRaw === null ? all.length : Number(countRaw);
        if (!Number.isInteger(count) || count < 1) return this.error(422, "unprocessable_entity", "count must be a positive integer");
        const fromId = url.searchParams.get("from_id");
        let start = 0;
        if (fromId) {
          const idx = all.findIndex((t) => t.id === fromId);
          if (idx < 0) return this.error(404, "not_found", "from_id does not match a transaction of this account");
          start = idx + 1; // exclusive: the page holds the transactions older than from_id
        }
        return this.json(all.slice(start, start + count));
      }
    }
    return this.error(404, "not_found", `No route for ${req.method} ${url.pathname}`);
  };

  // ------------------------------------------------------------ Teller Connect back end (stand-in only)

  readonly handleConnect = async (req: Request): Promise<Response> => {
    const path = new URL(req.url).pathname.replace(/^.*\/connect(?=\/)/, "");
    if (req.method === "GET" && path === "/institutions") return this.json({ institutions: TELLER_INSTITUTIONS });
    if (req.method !== "POST") return this.error(405, "method_not_allowed", "POST only");
    const b = (await req.json().catch(() => ({}))) as Record<string, string | undefined>;
    if (b.application_id !== TELLER_APP_ID) return this.error(400, "bad_request", "Unknown application id.");
    if (path === "/enroll") {
      const inst = TELLER_INSTITUTIONS.find((i) => i.id === b.institution_id);
      const existing = b.enrollment_id ? this.enrollments.get(b.enrollment_id) : undefined;
      if (!inst && !existing) return this.error(400, "bad_request", "Choose an institution.");
      if (b.password !== SANDBOX_PASSWORD) return this.error(401, "invalid_credentials", "Incorrect username or password.");
      const username = b.username ?? "";
      if (username === "otp" || username === "challenge") {
        const s: MfaSession = { id: `mfa_${randomBytes(8).toString("hex")}`, username, institutionId: existing?.institution.id ?? inst!.id, enrollmentId: existing?.id ?? null, field: username === "otp" ? "code" : "answer", nonce: b.nonce ?? null };
        this.mfa.set(s.id, s);
        return this.json({ step: "mfa", session: s.id, field: s.field, prompt: s.field === "code" ? "Enter the code we sent to your phone." : "Security question: what is your favorite color?" });
      }
      return this.json({ step: "done", enrollment: this.enroll(username, existing?.institution.id ?? inst!.id, existing, "default", b.nonce ?? null) });
    }
    if (path === "/mfa") {
      const s = this.mfa.get(b.session ?? "");
      if (!s) return this.error(400, "bad_request", "This sign-in session expired. Start again.");
      const ok = s.field === "code" ? b.code === "0000" : (b.answer ?? "").trim().toLowerCase() === "blue";
      if (!ok) return this.error(401, "invalid_mfa", s.field === "code" ? "That code is not right." : "That answer is not right.");
      this.mfa.delete(s.id);
      return this.json({ step: "done", enrollment: this.enroll(s.username, s.institutionId, s.enrollmentId ? this.enrollments.get(s.enrollmentId) : undefined, "default", s.nonce) });
    }
    return this.error(404, "not_found", "No such Connect step.");
  };

  /** New enrollment, or repair of an existing one in place (Connect with enrollmentId). */
  private enroll(username: string, institutionId: string, existing?: Enrollment, mode: DemoItem["mode"] = "default", nonce: string | null = null) {
    if (existing) {
      existing.disconnected = null;
      existing.revoked = false;
      return this.enrollmentObject(existing, nonce);
    }
    const inst = TELLER_INSTITUTIONS.find((i) => i.id === institutionId)!;
    const id = `enr_${randomBytes(10).toString("hex")}`;
    const e: Enrollment = {
      id,
      userId: `usr_${randomBytes(10).toString("hex")}`,
      accessToken: `test_token_${randomBytes(16).toString("hex")}`,
      institution: { id: inst.id, name: inst.name },
      demo: { itemId: id, institutionId: inst.id, seed: parseInt(short(id).slice(0, 8), 16), mode, historyDays: this.historyDays, linkedAt: this.now(), density: 1, tickMs: 60_000 },
      ticks: 0,
      disconnectOnFirstRequest: username === "username" || username === "otp" || username === "challenge" ? null : username.replace(/^enrollment\./, "").startsWith("disconnected") ? username.replace(/^enrollment\./, "") : `disconnected.${username}`,
      disconnected: null,
      revoked: false,
      closedAccounts: new Set(),
      revokedAccounts: new Set(),
    };
    this.enrollments.set(id, e);
    this.byToken.set(e.accessToken, e);
    return this.enrollmentObject(e, nonce);
  }

  /** What Connect's onSuccess receives; opened with a nonce, it is signed as Teller signs it. */
  private enrollmentObject(e: Enrollment, nonce: string | null): { accessToken: string; user: { id: string }; enrollment: { id: string; institution: { name: string } }; signatures?: string[] } {
    const out = { accessToken: e.accessToken, user: { id: e.userId }, enrollment: { id: e.id, institution: { name: e.institution.name } } };
    if (!nonce) return out;
    return { ...out, signatures: [this.signEnrollment(`${nonce}.${e.accessToken}.${e.userId}.${e.id}.sandbox`)] };
  }

  /** Ed25519 over the enrollment message with the sandbox token-signing key (base64). */
  signEnrollment(message: string): string {
    return sign(null, Buffer.from(message, "utf8"), this.tokenSigning.privateKey).toString("base64");
  }

  /** Server-side sandbox enrollment without the Connect UI (tests); mode "empty" gives accounts with no transactions. */
  enrollDirect(username = "username", institutionId = "chase", mode: DemoItem["mode"] = "default", nonce: string | null = null) {
    return this.enroll(username, institutionId, undefined, mode, nonce);
  }

  // ------------------------------------------------------------ webhooks

  signature(body: string, t = Math.floor(this.now() / 1000), secrets = this.webhookSecrets): string {
    return [`t=${t}`, ...secrets.map((s) => `v1=${createHmac("sha256", s).update(`${t}.${body}`).digest("hex")}`)].join(",");
  }

  async fire(type: string, payload: Record<string, unknown>): Promise<void> {
    const body = JSON.stringify({ id: `wh_${randomBytes(10).toString("hex")}`, type, timestamp: new Date(this.now()).toISOString(), payload });
    const headers = { "content-type": "application/json", "teller-signature": this.signature(body) };
    this.sentWebhooks.push({ body, headers });
    if (this.webhookUrl) await this.deliver(this.webhookUrl, body, headers);
  }

  // ------------------------------------------------------------ helpers

  private json(body: unknown, status = 200): Response {
    return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  }
  private error(status: number, code: string, message: string): Response {
    return this.json({ error: { code, message } }, status);
  }
}

export type RunningTeller = { emulator: TellerEmulator; url: string; pki: TestPki; close: () => Promise<void> };

/** Serve the emulator over HTTPS on loopback; client certificates are checked against the test CA. */
export async function startTellerEmulator(emulator = new TellerEmulator(), pki: TestPki = createTestPki()): Promise<RunningTeller> {
  const server = https.createServer({ key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert, requestCert: true, rejectUnauthorized: false }, async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const socket = req.socket as TLSSocket;
    const request = new Request(`https://127.0.0.1${req.url}`, { method: req.method, headers, body: req.method === "GET" || req.method === "DELETE" ? undefined : Buffer.concat(chunks) });
    const response = await emulator.handle(request, { clientCertificate: socket.authorized === true });
    res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { emulator, url: `https://127.0.0.1:${port}`, pki, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const g = globalThis as unknown as { __ledgerlinkTeller?: Promise<RunningTeller> };

/** The process-wide local Teller (emulator mode: no Teller certificate configured). */
export function localTeller(): Promise<RunningTeller> {
  g.__ledgerlinkTeller ??= startTellerEmulator();
  return g.__ledgerlinkTeller;
}
