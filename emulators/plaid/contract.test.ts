import fs from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import YAML from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_CLIENT_ID, EMULATOR_SECRET, PlaidEmulator } from "./server";

/**
 * Contract test: every emulator response validates against Plaid's own OpenAPI spec
 * (../shared/fixtures/external/providers/plaid, read in place), with a real JSON-schema
 * validator — so the emulator cannot drift into a shape Plaid never sends.
 */
const SPEC = "../shared/fixtures/external/providers/plaid/plaid-openapi_2020-09-14.yml";

/**
 * OpenAPI 3.0 `nullable: true` → JSON Schema (what openapi-schema-to-json-schema does):
 * `type: [t, "null"]`, or `anyOf: [schema, {type: "null"}]` when there is no `type`.
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === "example" || k === "examples" ? v : toJsonSchema(v);
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === "string") {
      out.type = [out.type, "null"];
      if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
    } else {
      return { anyOf: [out, { type: "null" }] };
    }
  } else delete out.nullable;
  return out;
}

let ajv: Ajv;
const validators = new Map<string, ValidateFunction>();
beforeAll(() => {
  const spec = YAML.parse(fs.readFileSync(SPEC, "utf8"), { maxAliasCount: -1 }) as Record<string, unknown>;
  ajv = new Ajv({ strict: false, allErrors: true, discriminator: false });
  addFormats(ajv);
  ajv.addSchema({ $id: "plaid", components: toJsonSchema((spec as { components: unknown }).components) });
}, 60_000);

function validatorFor(ref: string): ValidateFunction {
  let v = validators.get(ref);
  if (!v) validators.set(ref, (v = ajv.compile({ $ref: `plaid#/components/schemas/${ref}` })));
  return v;
}

const emu = new PlaidEmulator({ deliver: async () => {}, historyDays: 40 });
async function call(path: string, body: Record<string, unknown>, auth: "headers" | "body" = "headers") {
  const res = await emu.handle(
    new Request(`http://plaid.test${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(auth === "headers" ? { "PLAID-CLIENT-ID": EMULATOR_CLIENT_ID, "PLAID-SECRET": EMULATOR_SECRET } : {}) },
      body: JSON.stringify(auth === "body" ? { client_id: EMULATOR_CLIENT_ID, secret: EMULATOR_SECRET, ...body } : body),
    }),
  );
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function expectValid(schema: string, body: unknown) {
  const v = validatorFor(schema);
  const ok = v(body);
  expect(ok ? [] : v.errors!.slice(0, 5).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`)).toEqual([]);
}

describe("Plaid emulator vs Plaid's OpenAPI spec", () => {
  it("the validator really rejects shapes Plaid never sends", () => {
    const v = validatorFor("TransactionsSyncResponse");
    const good = { transactions_update_status: "HISTORICAL_UPDATE_COMPLETE", accounts: [], added: [], modified: [], removed: [], next_cursor: "x", has_more: false, request_id: "r" };
    expect(v(good)).toBe(true);
    expect(v({ ...good, has_more: "no" })).toBe(false);
    expect(v({ ...good, removed: [{ transaction_id: "t" }] })).toBe(false); // account_id is required
    expect(validatorFor("PlaidError")({ error_type: "ITEM_ERROR", error_code: "X", error_message: "m" })).toBe(false); // display_message required (nullable)
    expect(validatorFor("AccountBalance")({ available: null, current: "12.00", limit: null, iso_currency_code: "USD", unofficial_currency_code: null })).toBe(false); // numbers, not strings
  });

  let accessToken = "";
  it("link, exchange and item endpoints", async () => {
    const lt = await call("/link/token/create", { client_name: "Ledgerlink", language: "en", country_codes: ["US"], user: { client_user_id: "u1" }, products: ["transactions"], webhook: "http://127.0.0.1:1/hook" });
    expect(lt.status).toBe(200);
    expectValid("LinkTokenCreateResponse", lt.body);
    const pt = await call("/sandbox/public_token/create", { institution_id: "ins_109508", initial_products: ["transactions"], options: { override_username: "user_transactions_dynamic", webhook: "http://127.0.0.1:1/hook" } }, "body");
    expectValid("SandboxPublicTokenCreateResponse", pt.body);
    const ex = await call("/item/public_token/exchange", { public_token: pt.body.public_token });
    expectValid("ItemPublicTokenExchangeResponse", ex.body);
    accessToken = ex.body.access_token as string;
    expect(accessToken).toMatch(/^access-sandbox-/);
    expectValid("ItemGetResponse", (await call("/item/get", { access_token: accessToken })).body);
  });

  it("accounts, balances, identity", async () => {
    expectValid("AccountsGetResponse", (await call("/accounts/get", { access_token: accessToken })).body);
    expectValid("AccountsGetResponse", (await call("/accounts/balance/get", { access_token: accessToken })).body);
    expectValid("IdentityGetResponse", (await call("/identity/get", { access_token: accessToken })).body);
  });

  it("every /transactions/sync page, including modified, removed and pending→posted", async () => {
    emu.advance(accessToken, 6);
    let cursor: string | undefined;
    let pages = 0;
    const seen = { added: 0, modified: 0, removed: 0 };
    for (;;) {
      const r = await call("/transactions/sync", { access_token: accessToken, cursor, count: 75 });
      expect(r.status).toBe(200);
      expectValid("TransactionsSyncResponse", r.body);
      for (const k of ["added", "modified", "removed"] as const) seen[k] += (r.body[k] as unknown[]).length;
      pages++;
      cursor = r.body.next_cursor as string;
      if (!r.body.has_more) break;
    }
    expect(pages).toBeGreaterThan(2);
    expect(seen.modified).toBeGreaterThan(0);
    expect(seen.removed).toBeGreaterThan(0);
  });

  it("/transactions/get pages and the not-ready state of both reads", async () => {
    const page = await call("/transactions/get", { access_token: accessToken, start_date: "2000-01-01", end_date: "2100-01-01", options: { count: 50, offset: 10 } });
    expect(page.status).toBe(200);
    expectValid("TransactionsGetResponse", page.body);
    expect((page.body.transactions as unknown[]).length).toBe(50);
    expect(page.body.total_transactions).toBeGreaterThan(60);
    emu.notReadyFor(accessToken, 2);
    const sync = await call("/transactions/sync", { access_token: accessToken, count: 10 });
    expectValid("TransactionsSyncResponse", sync.body);
    expect(sync.body).toMatchObject({ transactions_update_status: "NOT_READY", next_cursor: "", has_more: false, added: [] });
    const get = await call("/transactions/get", { access_token: accessToken, start_date: "2000-01-01", end_date: "2100-01-01" });
    expect(get.status).toBe(400);
    expect(get.body.error_code).toBe("PRODUCT_NOT_READY");
    expectValid("PlaidError", get.body);
  });

  it("sandbox helpers and the webhook key", async () => {
    expectValid("SandboxTransactionsCreateResponse", (await call("/sandbox/transactions/create", { access_token: accessToken, transactions: [{ date_transacted: "2026-01-02", date_posted: "2026-01-03", amount: 12.5, description: "SANDBOX COFFEE" }] })).body);
    expectValid("SandboxItemFireWebhookResponse", (await call("/sandbox/item/fire_webhook", { access_token: accessToken, webhook_code: "SYNC_UPDATES_AVAILABLE" })).body);
    const jwt = emu.sentWebhooks.at(-1)!.headers["plaid-verification"]!;
    const kid = JSON.parse(Buffer.from(jwt.split(".")[0]!, "base64url").toString()).kid as string;
    expectValid("WebhookVerificationKeyGetResponse", (await call("/webhook_verification_key/get", { key_id: kid })).body);
    expectValid("SandboxItemResetLoginResponse", (await call("/sandbox/item/reset_login", { access_token: accessToken })).body);
  });

  it("every webhook body the emulator sends validates against Plaid's webhook schema for its type and code", async () => {
    const SCHEMA: Record<string, string> = {
      "TRANSACTIONS SYNC_UPDATES_AVAILABLE": "SyncUpdatesAvailableWebhook",
      "TRANSACTIONS DEFAULT_UPDATE": "DefaultUpdateWebhook",
      "ITEM NEW_ACCOUNTS_AVAILABLE": "NewAccountsAvailableWebhook",
      "ITEM LOGIN_REPAIRED": "ItemLoginRepairedWebhook",
      "ITEM PENDING_EXPIRATION": "PendingExpirationWebhook",
      "ITEM PENDING_DISCONNECT": "PendingDisconnectWebhook",
      "ITEM USER_PERMISSION_REVOKED": "UserPermissionRevokedWebhook",
      "ITEM ERROR": "ItemErrorWebhook",
    };
    const codes = ["SYNC_UPDATES_AVAILABLE", "DEFAULT_UPDATE", "NEW_ACCOUNTS_AVAILABLE", "LOGIN_REPAIRED", "PENDING_EXPIRATION", "PENDING_DISCONNECT", "USER_PERMISSION_REVOKED", "ERROR"];
    const from = emu.sentWebhooks.length;
    for (const webhook_code of codes) expect((await call("/sandbox/item/fire_webhook", { access_token: accessToken, webhook_code })).status).toBe(200);
    // The ones the emulator sends by itself: a refresh, new sandbox transactions.
    const pt = await call("/sandbox/public_token/create", { institution_id: "ins_109508", initial_products: ["transactions"], options: { override_username: "user_transactions_dynamic", webhook: "http://127.0.0.1:1/hook" } }, "body");
    const other = (await call("/item/public_token/exchange", { public_token: pt.body.public_token })).body.access_token as string;
    await call("/transactions/refresh", { access_token: other });
    await call("/sandbox/transactions/create", { access_token: other, transactions: [{ date_transacted: "2026-01-02", date_posted: "2026-01-03", amount: 3.5, description: "SANDBOX TEA" }] });
    const sent = emu.sentWebhooks.slice(from).map((w) => JSON.parse(w.body) as { webhook_type: string; webhook_code: string });
    expect(sent.map((w) => w.webhook_code)).toEqual([...codes, "SYNC_UPDATES_AVAILABLE", "SYNC_UPDATES_AVAILABLE"]);
    for (const body of sent) {
      const schema = SCHEMA[`${body.webhook_type} ${body.webhook_code}`];
      expect(schema, `${body.webhook_type} ${body.webhook_code}`).toBeDefined();
      expectValid(schema!, body);
    }
  });

  it("errors are bare PlaidError objects with Plaid's statuses", async () => {
    const login = await call("/accounts/get", { access_token: accessToken });
    expect(login.status).toBe(400);
    expect(login.body.error_code).toBe("ITEM_LOGIN_REQUIRED");
    expectValid("PlaidError", login.body);
    const keys = await emu.handle(new Request("http://plaid.test/accounts/get", { method: "POST", body: JSON.stringify({ access_token: accessToken, client_id: "x", secret: "y" }) }));
    expect(keys.status).toBe(400);
    expectValid("PlaidError", await keys.json());
    const bad = await call("/accounts/get", { access_token: "access-sandbox-nope" });
    expect(bad.body.error_code).toBe("INVALID_ACCESS_TOKEN");
    expectValid("PlaidError", bad.body);
    emu.failNext("ACCOUNTS_LIMIT");
    const limited = await call("/item/get", { access_token: accessToken });
    expect(limited.status).toBe(429);
    expectValid("PlaidError", limited.body);
    emu.failNext("INTERNAL_SERVER_ERROR");
    const down = await call("/item/get", { access_token: accessToken });
    expect(down.status).toBe(500);
    expectValid("PlaidError", down.body);
    const removed = await call("/item/remove", { access_token: accessToken });
    expectValid("ItemRemoveResponse", removed.body);
    expect((await call("/item/get", { access_token: accessToken })).body.error_code).toBe("INVALID_ACCESS_TOKEN");
  });
});
