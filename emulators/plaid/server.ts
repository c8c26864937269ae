import { addDaysToInstant } from "@/lib/dates";
import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from "node:crypto";
import { buildLedger, DEMO_MODES, type DemoEvent, type DemoItem } from "../demo/ledger";
import { PLAID_INSTITUTIONS, plaidAccounts, plaidTransaction } from "./shapes";

/**
 * A local Plaid: the real paths and JSON shapes of the 2020-09-14 API (validated against
 * Plaid's OpenAPI spec in tests), client_id/secret in headers or body, Plaid's bare error
 * objects and statuses, sandbox users, a per-Item change log behind /transactions/sync,
 * ES256-signed webhooks with the key served by kid, and fault switches.
 *
 * Emulator-only extensions live under /link/sandbox/* (what the Link stand-in calls in
 * place of Plaid's hosted Link) and are never used by the connector.
 */

export const EMULATOR_CLIENT_ID = "ledgerlink-emulator";
export const EMULATOR_SECRET = "emulator-secret-not-real";

type PlaidErrorBody = { error_type: string; error_code: string; error_message: string; display_message: string | null };

const ERR = {
  INVALID_API_KEYS: [400, "INVALID_INPUT", "invalid client_id or secret provided"],
  INVALID_ACCESS_TOKEN: [400, "INVALID_INPUT", "provided access token is in an invalid format. expected format: access-<environment>-<identifier>"],
  INVALID_PUBLIC_TOKEN: [400, "INVALID_INPUT", "provided public token is expired. Public tokens expire 30 minutes after creation at which point they can no longer be exchanged"],
  INVALID_LINK_TOKEN: [400, "INVALID_INPUT", "provided link token is invalid or expired"],
  MISSING_FIELDS: [400, "INVALID_REQUEST", "the following required fields are missing"],
  INVALID_FIELD: [400, "INVALID_REQUEST", "a field is invalid"],
  INVALID_CREDENTIALS: [400, "ITEM_ERROR", "the provided credentials were not correct"],
  ITEM_LOGIN_REQUIRED: [400, "ITEM_ERROR", "the login details of this item have changed (credentials, MFA, or required user action) and a user login is required to update this information. use Link's update mode to restore the item to a good state"],
  PRODUCT_NOT_READY: [400, "ITEM_ERROR", "the requested product is not yet ready. please provide a webhook or try the request again later"],
  TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION: [400, "TRANSACTIONS_ERROR", "Underlying transaction data changed since last page was fetched. Please restart pagination from last update."],
  RATE_LIMIT: [429, "RATE_LIMIT_EXCEEDED", "rate limit exceeded for attempts to access this item. please try again later"],
  INTERNAL_SERVER_ERROR: [500, "API_ERROR", "an unexpected error occurred"],
  INSTITUTION_DOWN: [400, "INSTITUTION_ERROR", "this institution is not currently responding to this request. please try again soon"],
  SANDBOX_PRODUCT_NOT_ENABLED: [400, "INVALID_INPUT", "the requested sandbox operation is only available for items of user_transactions_dynamic"],
} as const;

export type PlaidErrorCode = keyof typeof ERR | "ACCOUNTS_LIMIT";

type Item = {
  itemId: string;
  accessToken: string;
  institutionId: string;
  username: string;
  webhook: string | null;
  products: string[];
  demo: DemoItem;
  ticks: number;
  log: DemoEvent[];
  loginRequired: boolean;
  removed: boolean;
  lastWebhook: { sent_at: string; code_sent: string } | null;
};

type LinkToken = { token: string; expiresAt: number; webhook: string | null; accessToken: string | null; products: string[] };

export type PlaidEmulatorOptions = {
  now?: () => number;
  /** How webhooks leave the emulator (default: POST with fetch). */
  deliver?: (url: string, body: string, headers: Record<string, string>) => Promise<void>;
  historyDays?: number;
};

export class PlaidEmulator {
  readonly now: () => number;
  private readonly deliver: NonNullable<PlaidEmulatorOptions["deliver"]>;
  private readonly historyDays: number;
  private readonly items = new Map<string, Item>();
  private readonly byToken = new Map<string, Item>();
  private readonly publicTokens = new Map<string, { itemId: string; expiresAt: number; used: boolean }>();
  private readonly linkTokens = new Map<string, LinkToken>();
  private readonly keys = new Map<string, { privateKey: KeyObject; jwk: Record<string, unknown> }>();
  private currentKid: string;
  private faults: { code: PlaidErrorCode; path: string; times: number }[] = [];
  private mutateNextPage = false;
  /** How many TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION errors were sent (tests check restarts happened). */
  mutationErrorsSent = 0;
  /**
   * Which webhook URLs may be called (the app mounts it to its own webhook routes only, so a
   * caller of the public sandbox cannot make the server POST anywhere). Default: any.
   */
  webhookAllowed: (url: string) => boolean = () => true;
  /** At most this many Items live in memory; creating more is refused (the sandbox is public). */
  maxItems = 500;
  /** Every key id asked for at /webhook_verification_key/get, in order (tests count outbound lookups). */
  readonly keyRequests: string[] = [];
  /** Every /transactions/get request's date range and paging (tests check what reached Plaid). */
  readonly transactionsGetRequests: { start_date: string; end_date: string; count: number; offset: number; account_ids: string[] | null }[] = [];
  /** Items whose transactions are "not ready yet" for this many more reads (Plaid still preparing the first pull). */
  private readonly notReady = new Map<string, number>();
  /** Every webhook the emulator sent (tests inspect it). */
  readonly sentWebhooks: { url: string; body: string; headers: Record<string, string> }[] = [];

  constructor(opts: PlaidEmulatorOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.historyDays = opts.historyDays ?? 180;
    this.deliver =
      opts.deliver ??
      (async (url, body, headers) => {
        await fetch(url, { method: "POST", body, headers }).catch(() => undefined);
      });
    this.currentKid = this.rotateKey();
  }

  // ------------------------------------------------------------ fault switches and sandbox controls

  /**
   * Plaid has not finished the Item's first transactions pull: the next `reads` transaction
   * reads answer "not ready" (/transactions/sync: NOT_READY with an empty cursor;
   * /transactions/get: PRODUCT_NOT_READY).
   */
  notReadyFor(accessToken: string, reads: number): void {
    this.notReady.set(accessToken, reads);
  }
  private takeNotReady(item: Item): boolean {
    const n = this.notReady.get(item.accessToken) ?? 0;
    if (n <= 0) return false;
    this.notReady.set(item.accessToken, n - 1);
    return true;
  }

  /** The next `times` calls to `path` (or "*") fail with this Plaid error. */
  failNext(code: PlaidErrorCode, path = "*", times = 1): void {
    this.faults.push({ code, path, times });
  }
  /** The next /transactions/sync page request that continues a pagination finds the data changed. */
  mutateDuringNextPagination(): void {
    this.mutateNextPage = true;
  }
  /** New signing key (the old one stays served, as Plaid does during rotation). */
  rotateKey(): string {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const kid = randomUUID();
    const jwk = publicKey.export({ format: "jwk" }) as Record<string, unknown>;
    this.keys.set(kid, { privateKey, jwk: { ...jwk, alg: "ES256", use: "sig", kid, created_at: Math.floor(this.now() / 1000), expired_at: null } });
    this.currentKid = kid;
    return kid;
  }
  /** Plaid reports this key expired from now on (`expired_at` set); it stays served. */
  expireKey(kid: string): void {
    const k = this.keys.get(kid);
    if (!k) throw new Error("unknown kid");
    k.jwk = { ...k.jwk, expired_at: Math.floor(this.now() / 1000) };
  }
  /** Let the bank move on by `ticks` demo ticks (new, posted, modified and removed transactions). */
  advance(accessToken: string, ticks = 1): void {
    const item = this.byToken.get(accessToken);
    if (!item) throw new Error("unknown item");
    item.ticks += ticks;
    const ledger = buildLedger(item.demo, item.demo.linkedAt + item.ticks * item.demo.tickMs);
    item.log.push(...ledger.events.slice(this.demoEventCount(item)));
  }
  /** Live transactions as Plaid would report them (ground truth for tests). */
  liveTransactions(accessToken: string) {
    const item = this.byToken.get(accessToken)!;
    const live = new Map<string, ReturnType<typeof plaidTransaction>>();
    for (const e of item.log) {
      if (e.kind === "remove") live.delete(e.transaction_id);
      else live.set(e.tx.transaction_id, plaidTransaction(e.tx));
    }
    return live;
  }
  itemOf(accessToken: string) {
    return this.byToken.get(accessToken);
  }

  private demoEventCount(item: Item) {
    return item.log.filter((e) => !(e.kind === "add" && e.tx.transaction_id.startsWith("sbx-"))).length;
  }

  // ------------------------------------------------------------ HTTP

  readonly handle = async (req: Request): Promise<Response> => {
    // Plaid's own paths; the app mounts the emulator under /sandbox/plaid.
    const path = new URL(req.url).pathname.replace(/^\/sandbox\/plaid(?=\/)/, "");
    if (req.method === "GET" && path === "/link/sandbox/institutions") {
      // The Link stand-in asks what to show for its link token: a bank picker, or (update mode) the login of one Item.
      const lt = this.linkTokens.get(new URL(req.url).searchParams.get("link_token") ?? "");
      if (!lt || lt.expiresAt < this.now()) return this.error("INVALID_LINK_TOKEN");
      const item = lt.accessToken ? this.byToken.get(lt.accessToken) : undefined;
      return this.json({ institutions: PLAID_INSTITUTIONS, update_mode: Boolean(item), institution: item ? PLAID_INSTITUTIONS.find((i) => i.institution_id === item.institutionId) : null });
    }
    if (req.method === "GET" && path === "/link/sandbox/items") {
      // Emulator dashboard (not a Plaid endpoint): the Items this sandbox holds, for tests and demos.
      return this.json({ items: [...this.items.values()].map((i) => ({ item_id: i.itemId, access_token: i.accessToken, username: i.username, institution_id: i.institutionId, removed: i.removed })) });
    }
    if (req.method !== "POST") return this.error("INVALID_FIELD", 405, "Plaid endpoints accept POST only");
    let body: Record<string, unknown>;
    try {
      body = (await req.json()) as Record<string, unknown>;
    } catch {
      return this.errorBody(400, { error_type: "INVALID_REQUEST", error_code: "INVALID_BODY", error_message: "body could not be parsed as JSON", display_message: null });
    }
    if (path === "/link/sandbox/complete") return this.linkComplete(body);
    const clientId = req.headers.get("plaid-client-id") ?? body.client_id;
    const secret = req.headers.get("plaid-secret") ?? body.secret;
    if (clientId !== EMULATOR_CLIENT_ID || secret !== EMULATOR_SECRET) return this.error("INVALID_API_KEYS");
    const fault = this.faults.find((f) => f.path === "*" || f.path === path);
    if (fault && path !== "/webhook_verification_key/get") {
      if (--fault.times <= 0) this.faults = this.faults.filter((f) => f !== fault);
      return this.error(fault.code);
    }
    switch (path) {
      case "/link/token/create":
        return this.linkTokenCreate(body);
      case "/sandbox/public_token/create":
        return this.sandboxPublicTokenCreate(body);
      case "/item/public_token/exchange":
        return this.exchange(body);
      case "/webhook_verification_key/get": {
        this.keyRequests.push(String(body.key_id ?? "").slice(0, 200));
        if (this.keyRequests.length > 1000) this.keyRequests.shift();
        const key = this.keys.get(String(body.key_id ?? ""));
        if (!key) return this.error("INVALID_FIELD", 400, "invalid key_id provided");
        return this.json({ key: key.jwk });
      }
    }
    const item = this.byToken.get(String(body.access_token ?? ""));
    if (!item || item.removed) return this.error("INVALID_ACCESS_TOKEN");
    switch (path) {
      case "/item/get":
        return this.json({ item: this.itemJson(item), status: { transactions: { last_successful_update: new Date(this.now()).toISOString(), last_failed_update: null }, last_webhook: item.lastWebhook } });
      case "/item/remove":
        item.removed = true;
        return this.json({});
      case "/sandbox/item/reset_login":
        item.loginRequired = true;
        void this.fire(item, "ITEM", "ERROR", { error: { ...this.errorObject("ITEM_LOGIN_REQUIRED"), status: 400 } });
        return this.json({ reset_login: true });
      case "/sandbox/item/fire_webhook":
        return this.fireWebhook(item, body);
      case "/sandbox/transactions/create":
        return this.sandboxTransactionsCreate(item, body);
    }
    if (item.loginRequired) return this.error("ITEM_LOGIN_REQUIRED");
    switch (path) {
      case "/accounts/get":
      case "/accounts/balance/get":
        return this.json({ accounts: this.accounts(item, body), item: this.itemJson(item) });
      case "/identity/get":
        return this.json({
          accounts: this.accounts(item, body).map((a) => ({
            ...a,
            owners: [
              {
                names: ["Alberta Bobbeth Charleson"],
                phone_numbers: [{ data: "+1 415-555-0122", primary: true, type: "mobile" }],
                emails: [{ data: "accountholder0@example.com", primary: true, type: "primary" }],
                addresses: [{ data: { street: "2992 Cameron Road", city: "Malakoff", region: "NY", postal_code: "14236", country: "US" }, primary: true }],
              },
            ],
          })),
          item: this.itemJson(item),
        });
      case "/transactions/sync":
        return this.sync(item, body);
      case "/transactions/get":
        return this.transactionsGet(item, body);
      case "/transactions/refresh":
        this.advance(item.accessToken, 1);
        void this.fire(item, "TRANSACTIONS", "SYNC_UPDATES_AVAILABLE", { initial_update_complete: true, historical_update_complete: true });
        return this.json({});
    }
    return this.errorBody(404, { error_type: "INVALID_REQUEST", error_code: "NOT_FOUND", error_message: `unknown endpoint ${path}`, display_message: null });
  };

  // ------------------------------------------------------------ endpoints

  private linkTokenCreate(b: Record<string, unknown>): Response {
    const missing = ["client_name", "language", "country_codes"].filter((k) => b[k] === undefined);
    const accessToken = typeof b.access_token === "string" ? b.access_token : null;
    if (!(b.user as { client_user_id?: string } | undefined)?.client_user_id) missing.push("user.client_user_id");
    if (!accessToken && !(Array.isArray(b.products) && b.products.length)) missing.push("products");
    if (missing.length) return this.error("MISSING_FIELDS", 400, `the following required fields are missing: ${missing.join(", ")}`);
    if (String(b.client_name).length > 30) return this.error("INVALID_FIELD", 400, "client_name must be at most 30 characters");
    if (accessToken && !this.byToken.has(accessToken)) return this.error("INVALID_ACCESS_TOKEN");
    const token = `link-sandbox-${randomUUID()}`;
    const ttl = accessToken ? 30 * 60_000 : 4 * 3600_000;
    const expiresAt = this.now() + ttl;
    this.linkTokens.set(token, { token, expiresAt, webhook: (b.webhook as string) ?? null, accessToken, products: (b.products as string[]) ?? [] });
    return this.json({ link_token: token, expiration: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z") });
  }

  /** At the Item cap? Removed Items are forgotten first (oldest first) to make room. */
  private full(): boolean {
    for (const [id, it] of this.items) {
      if (this.items.size < this.maxItems) break;
      if (!it.removed) continue;
      this.items.delete(id);
      this.byToken.delete(it.accessToken);
    }
    return this.items.size >= this.maxItems;
  }

  private createItem(institutionId: string, username: string, webhook: string | null, products: string[]): Item {
    const itemId = randomUUID().replaceAll("-", "").slice(0, 24);
    const demo: DemoItem = {
      itemId,
      institutionId,
      seed: parseInt(createHash("sha256").update(itemId).digest("hex").slice(0, 8), 16),
      mode: DEMO_MODES[0]!,
      historyDays: this.historyDays,
      linkedAt: this.now(),
      density: 1,
      tickMs: 60_000,
    };
    const item: Item = {
      itemId,
      accessToken: `access-sandbox-${randomUUID()}`,
      institutionId,
      username,
      webhook,
      products,
      demo,
      ticks: 0,
      log: [...buildLedger(demo, demo.linkedAt).events],
      loginRequired: false,
      removed: false,
      lastWebhook: null,
    };
    this.items.set(itemId, item);
    this.byToken.set(item.accessToken, item);
    return item;
  }

  private publicTokenFor(item: Item): string {
    const token = `public-sandbox-${randomUUID()}`;
    this.publicTokens.set(token, { itemId: item.itemId, expiresAt: this.now() + 30 * 60_000, used: false });
    return token;
  }

  private checkCredentials(username: string, password: string): boolean {
    if (username === "user_good") return password === "pass_good";
    return username === "user_transactions_dynamic";
  }

  private sandboxPublicTokenCreate(b: Record<string, unknown>): Response {
    const inst = PLAID_INSTITUTIONS.find((i) => i.institution_id === b.institution_id);
    if (!inst) return this.error("INVALID_FIELD", 400, "invalid institution_id provided");
    if (!Array.isArray(b.initial_products) || !b.initial_products.length) return this.error("MISSING_FIELDS", 400, "the following required fields are missing: initial_products");
    const o = (b.options ?? {}) as { webhook?: string; override_username?: string; override_password?: string };
    const username = o.override_username ?? "user_good";
    if (!this.checkCredentials(username, o.override_password ?? "pass_good")) return this.error("INVALID_CREDENTIALS");
    if (this.full()) return this.error("RATE_LIMIT", 429, "the sandbox holds as many Items as it allows; remove some first");
    const item = this.createItem(inst.institution_id, username, o.webhook ?? null, b.initial_products as string[]);
    return this.json({ public_token: this.publicTokenFor(item) });
  }

  /** What Plaid's hosted Link does after the user picks a bank and logs in (used by the stand-in only). */
  private linkComplete(b: Record<string, unknown>): Response {
    const lt = this.linkTokens.get(String(b.link_token ?? ""));
    if (!lt || lt.expiresAt < this.now()) return this.error("INVALID_LINK_TOKEN");
    const username = String(b.username ?? "");
    if (!this.checkCredentials(username, String(b.password ?? ""))) return this.error("INVALID_CREDENTIALS");
    let item: Item | undefined;
    if (lt.accessToken) {
      item = this.byToken.get(lt.accessToken);
      if (!item) return this.error("INVALID_ACCESS_TOKEN");
      item.loginRequired = false; // update mode repairs the Item in place
      void this.fire(item, "ITEM", "LOGIN_REPAIRED", {});
    } else {
      const inst = PLAID_INSTITUTIONS.find((i) => i.institution_id === b.institution_id);
      if (!inst) return this.error("INVALID_FIELD", 400, "invalid institution_id provided");
      if (this.full()) return this.error("RATE_LIMIT", 429, "the sandbox holds as many Items as it allows; remove some first");
      item = this.createItem(inst.institution_id, username, lt.webhook, lt.products);
    }
    const inst = PLAID_INSTITUTIONS.find((i) => i.institution_id === item!.institutionId)!;
    const ledger = buildLedger(item.demo, item.demo.linkedAt);
    return this.json({
      public_token: this.publicTokenFor(item),
      metadata: {
        institution: { name: inst.name, institution_id: inst.institution_id },
        accounts: ledger.accounts.map((a) => ({ id: a.account_id, name: a.name, mask: a.mask, type: a.type, subtype: a.subtype, verification_status: null, class_type: null })),
        link_session_id: randomUUID(),
      },
    });
  }

  private exchange(b: Record<string, unknown>): Response {
    const pt = this.publicTokens.get(String(b.public_token ?? ""));
    if (!pt || pt.used || pt.expiresAt < this.now()) return this.error("INVALID_PUBLIC_TOKEN");
    pt.used = true;
    const item = this.items.get(pt.itemId)!;
    return this.json({ access_token: item.accessToken, item_id: item.itemId });
  }

  private accounts(item: Item, b: Record<string, unknown>) {
    const ledger = this.currentLedgerView(item);
    const ids = (b.options as { account_ids?: string[] } | undefined)?.account_ids;
    return plaidAccounts(ledger, new Date(this.now()).toISOString()).filter((a) => !ids || ids.includes(a.account_id));
  }

  /** The item's accounts and live transactions from its (append-only) log. */
  private currentLedgerView(item: Item) {
    const base = buildLedger({ ...item.demo, mode: "empty" }, item.demo.linkedAt);
    const live = new Map<string, import("../demo/ledger").DemoTransaction>();
    for (const e of item.log) {
      if (e.kind === "remove") live.delete(e.transaction_id);
      else live.set(e.tx.transaction_id, e.tx);
    }
    return { ...base, live };
  }

  /** /transactions/get: every live transaction dated in [start_date, end_date], newest first, paged by count/offset. */
  private transactionsGet(item: Item, b: Record<string, unknown>): Response {
    const start = b.start_date;
    const end = b.end_date;
    if (typeof start !== "string" || typeof end !== "string") return this.error("MISSING_FIELDS", 400, "the following required fields are missing: start_date, end_date");
    if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || !/^\d{4}-\d{2}-\d{2}$/.test(end) || start > end) return this.error("INVALID_FIELD", 400, "start_date and end_date must be YYYY-MM-DD, start_date not after end_date");
    const o = (b.options ?? {}) as { count?: number; offset?: number; account_ids?: string[] };
    const count = o.count ?? 100;
    const offset = o.offset ?? 0;
    if (!Number.isInteger(count) || count < 1 || count > 500 || !Number.isInteger(offset) || offset < 0) return this.error("INVALID_FIELD", 400, "options.count must be 1–500 and options.offset ≥ 0");
    const ids = Array.isArray(o.account_ids) ? o.account_ids.map(String) : null;
    this.transactionsGetRequests.push({ start_date: start, end_date: end, count, offset, account_ids: ids });
    if (this.takeNotReady(item)) return this.error("PRODUCT_NOT_READY");
    const rows = [...this.liveTransactions(item.accessToken).values()]
      .filter((t) => t.date >= start && t.date <= end && (!ids || ids.includes(t.account_id)))
      .sort((x, y) => (x.date === y.date ? (x.transaction_id < y.transaction_id ? -1 : 1) : x.date < y.date ? 1 : -1));
    return this.json({ accounts: this.accounts(item, { options: { account_ids: ids ?? undefined } }), transactions: rows.slice(offset, offset + count), total_transactions: rows.length, item: this.itemJson(item) });
  }

  private sync(item: Item, b: Record<string, unknown>): Response {
    const count = b.count === undefined ? 100 : Number(b.count);
    if (!Number.isInteger(count) || count < 1 || count > 500) return this.error("INVALID_FIELD", 400, "count must be an integer between 1 and 500");
    // Before the first pull is done Plaid answers an empty update with an empty cursor.
    if (this.takeNotReady(item))
      return this.json({ transactions_update_status: "NOT_READY", accounts: this.accounts(item, {}), added: [], modified: [], removed: [], next_cursor: "", has_more: false });
    let offset = 0;
    let version = item.log.length;
    let midUpdate = false;
    if (typeof b.cursor === "string" && b.cursor !== "") {
      const m = /^(\d+)\.(\d+)\.([01])$/.exec(Buffer.from(b.cursor, "base64").toString("utf8"));
      if (!m || b.cursor.length > 256) return this.error("INVALID_FIELD", 400, "cursor is invalid");
      offset = Number(m[1]);
      version = Number(m[2]);
      midUpdate = m[3] === "1";
      if (offset > item.log.length) return this.error("INVALID_FIELD", 400, "cursor is invalid");
    }
    if (midUpdate && this.mutateNextPage) {
      this.mutateNextPage = false;
      this.advance(item.accessToken, 1);
    }
    // A continuing page must see the same data as the update's first page.
    if (midUpdate && version !== item.log.length) {
      this.mutationErrorsSent++;
      return this.error("TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION");
    }
    const slice = item.log.slice(offset, offset + count);
    const added = [];
    const modified = [];
    const removed = [];
    for (const e of slice) {
      if (e.kind === "add") added.push(plaidTransaction(e.tx));
      else if (e.kind === "modify") modified.push(plaidTransaction(e.tx));
      else removed.push({ transaction_id: e.transaction_id, account_id: e.account_id });
    }
    const next = offset + slice.length;
    const hasMore = next < item.log.length;
    return this.json({
      transactions_update_status: "HISTORICAL_UPDATE_COMPLETE",
      accounts: this.accounts(item, {}),
      added,
      modified,
      removed,
      next_cursor: Buffer.from(`${next}.${item.log.length}.${hasMore ? 1 : 0}`).toString("base64"),
      has_more: hasMore,
    });
  }

  private sandboxTransactionsCreate(item: Item, b: Record<string, unknown>): Response {
    if (item.username !== "user_transactions_dynamic") return this.error("SANDBOX_PRODUCT_NOT_ENABLED");
    const txs = b.transactions as { date_transacted: string; date_posted: string; amount: number; description: string; iso_currency_code?: string }[] | undefined;
    if (!Array.isArray(txs) || !txs.length) return this.error("MISSING_FIELDS", 400, "the following required fields are missing: transactions");
    if (txs.length > 10) return this.error("INVALID_FIELD", 400, "at most 10 transactions per call");
    const checking = `${item.itemId}-chk`;
    for (const t of txs) {
      if (typeof t.amount !== "number" || !/^\d{4}-\d{2}-\d{2}$/.test(t.date_posted ?? "") || !t.description) return this.error("INVALID_FIELD", 400, "each transaction needs date_transacted, date_posted, amount and description");
      item.log.push({
        kind: "add",
        tx: {
          transaction_id: `sbx-${randomUUID().replaceAll("-", "").slice(0, 20)}`,
          account_id: checking,
          pending: false,
          pending_transaction_id: null,
          date: t.date_posted,
          authorized_date: t.date_transacted ?? null,
          amount_cents: -Math.round(t.amount * 100),
          currency: t.iso_currency_code ?? "USD",
          description: t.description,
          merchant_name: null,
          counterparty: null,
          category: "Shopping",
          type: "card",
        },
      });
    }
    void this.fire(item, "TRANSACTIONS", "SYNC_UPDATES_AVAILABLE", { initial_update_complete: true, historical_update_complete: true });
    return this.json({});
  }

  private fireWebhook(item: Item, b: Record<string, unknown>): Response {
    const code = String(b.webhook_code ?? "");
    const type = String(b.webhook_type ?? (code === "SYNC_UPDATES_AVAILABLE" || code === "DEFAULT_UPDATE" ? "TRANSACTIONS" : "ITEM"));
    const known = ["SYNC_UPDATES_AVAILABLE", "DEFAULT_UPDATE", "NEW_ACCOUNTS_AVAILABLE", "LOGIN_REPAIRED", "PENDING_EXPIRATION", "PENDING_DISCONNECT", "USER_PERMISSION_REVOKED", "ERROR"];
    if (!known.includes(code)) return this.error("INVALID_FIELD", 400, "webhook_code is invalid");
    const extra: Record<string, unknown> =
      code === "SYNC_UPDATES_AVAILABLE"
        ? { initial_update_complete: true, historical_update_complete: true }
        : code === "ERROR"
          ? { error: { ...this.errorObject("ITEM_LOGIN_REQUIRED"), status: 400 } }
          : code === "PENDING_EXPIRATION"
            ? { consent_expiration_time: addDaysToInstant(this.now(), 7).toISOString() }
            : code === "PENDING_DISCONNECT"
              ? { reason: "INSTITUTION_TOKEN_EXPIRATION", disconnect_time: addDaysToInstant(this.now(), 7).toISOString() }
              : code === "DEFAULT_UPDATE"
                ? { new_transactions: 0 }
                : {};
    if (code === "ERROR") item.loginRequired = true;
    void this.fire(item, type, code, extra);
    return this.json({ webhook_fired: true });
  }

  // ------------------------------------------------------------ webhooks (ES256 JWT, Plaid-Verification)

  async fire(item: Item, webhook_type: string, webhook_code: string, extra: Record<string, unknown>): Promise<void> {
    item.lastWebhook = { sent_at: new Date(this.now()).toISOString(), code_sent: webhook_code };
    if (!item.webhook) return;
    const body = JSON.stringify({ environment: "sandbox", webhook_type, webhook_code, item_id: item.itemId, ...extra }, null, 2);
    const headers = { "content-type": "application/json", "plaid-verification": this.signJwt(body) };
    if (!this.webhookAllowed(item.webhook)) return;
    this.sentWebhooks.push({ url: item.webhook, body, headers });
    await this.deliver(item.webhook, body, headers);
  }

  signJwt(body: string, opts: { kid?: string; iat?: number; alg?: string } = {}): string {
    const kid = opts.kid ?? this.currentKid;
    const header = Buffer.from(JSON.stringify({ alg: opts.alg ?? "ES256", kid, typ: "JWT" })).toString("base64url");
    const payload = Buffer.from(
      JSON.stringify({ iat: opts.iat ?? Math.floor(this.now() / 1000), request_body_sha256: createHash("sha256").update(body).digest("hex") }),
    ).toString("base64url");
    const key = this.keys.get(kid) ?? this.keys.get(this.currentKid)!;
    const sig = sign("sha256", Buffer.from(`${header}.${payload}`), { key: key.privateKey, dsaEncoding: "ieee-p1363" }).toString("base64url");
    return `${header}.${payload}.${sig}`;
  }

  // ------------------------------------------------------------ helpers

  private itemJson(item: Item) {
    const inst = PLAID_INSTITUTIONS.find((i) => i.institution_id === item.institutionId)!;
    return {
      item_id: item.itemId,
      institution_id: inst.institution_id,
      institution_name: inst.name,
      webhook: item.webhook,
      auth_method: null,
      error: item.loginRequired ? { ...this.errorObject("ITEM_LOGIN_REQUIRED"), request_id: undefined } : null,
      available_products: ["balance", "identity"],
      billed_products: item.products,
      products: item.products,
      consented_products: item.products,
      consent_expiration_time: null,
      update_type: "background",
    };
  }

  private errorObject(code: keyof typeof ERR, message?: string): PlaidErrorBody & { error_code_reason: null; causes: []; documentation_url: string; suggested_action: null } {
    const [, type, msg] = ERR[code];
    return {
      error_type: type,
      error_code: code,
      error_code_reason: null,
      error_message: message ?? msg,
      display_message: code === "ITEM_LOGIN_REQUIRED" ? "Your bank login has changed. Please sign in again." : null,
      causes: [],
      documentation_url: `https://plaid.com/docs/errors/`,
      suggested_action: null,
    };
  }

  private error(code: PlaidErrorCode, status?: number, message?: string): Response {
    if (code === "ACCOUNTS_LIMIT") {
      return this.errorBody(429, { ...this.errorObject("RATE_LIMIT"), error_type: "RATE_LIMIT_EXCEEDED", error_code: "ACCOUNTS_LIMIT" });
    }
    const [defaultStatus] = ERR[code];
    const body = this.errorObject(code, message);
    if (code === "RATE_LIMIT") return this.errorBody(429, { ...body, error_type: "RATE_LIMIT_EXCEEDED", error_code: "RATE_LIMIT" });
    return this.errorBody(status ?? defaultStatus, body);
  }

  private errorBody(status: number, body: object): Response {
    return new Response(JSON.stringify({ ...body, request_id: this.requestId() }), { status, headers: { "content-type": "application/json" } });
  }

  private json(body: object): Response {
    return new Response(JSON.stringify({ ...body, request_id: this.requestId() }), { status: 200, headers: { "content-type": "application/json" } });
  }

  private requestId(): string {
    return randomUUID().replaceAll("-", "").slice(0, 15);
  }
}

const g = globalThis as unknown as { __ledgerlinkPlaidEmulator?: PlaidEmulator };

/** The process-wide emulator the app mounts at /sandbox/plaid in emulator mode. */
export function plaidEmulator(): PlaidEmulator {
  g.__ledgerlinkPlaidEmulator ??= new PlaidEmulator();
  return g.__ledgerlinkPlaidEmulator;
}
