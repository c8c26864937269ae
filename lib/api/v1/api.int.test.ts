import fs from "node:fs";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { and, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { balanceSnapshots, financialAccounts, transactions, users, webhookAttempts, webhookDeliveries, webhookSubscriptions } from "@/db/schema";
import { seedEcbHistory } from "@/lib/fx/rates";
import { addManualTransaction, createManualAccount, recordValuation } from "@/lib/wealth/manual";
import { manualAccountSchema, valuationSchema } from "@/lib/wealth/schemas";
import { sealSecret } from "@/lib/crypto";
import { emitEvent } from "@/lib/webhooks/events";
import { createSubscription, listDeliveries } from "@/lib/webhooks/subscriptions";
import { createApiToken } from "@/lib/api-tokens/tokens";
import { summarizeTransactions } from "@/lib/transactions/query";
import { linkConnection } from "@/lib/connections/service";
import { useJobQueue } from "@/lib/jobs";
import { createJobQueue } from "@/lib/jobs/queue";
import { runSyncJob } from "@/lib/jobs/sync-jobs";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { seedTransactions, seedUser } from "@/test/fixtures";
import { callApi, routeFiles, useDatabase, type ApiResult } from "@/test/api-harness";
import { apiClock, rateLimitPolicy, sessionLookup } from "./define";
import { buildOpenApi } from "./openapi";
import { referenceOperations } from "./reference";
import { API_ROUTES } from "./routes";
import { MAX_STATEMENT_BYTES } from "@/lib/statements/limits";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  useDatabase(t);
  sessionLookup.current = async () => null;
});
afterAll(() => t.close());
beforeEach(() => truncateAll(t));
afterEach(() => {
  rateLimitPolicy.limit = 120;
  apiClock.now = () => Date.now();
  sessionLookup.current = async () => null;
});

// ------------------------------------------------------------------ the document as the oracle

const doc = buildOpenApi(API_ROUTES);
const DOC_ID = "https://ledgerlink.test/openapi.json";
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ ...doc, $id: DOC_ID });
const ptr = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");
/** (route, method, status) combinations whose responses were checked against the document. */
const checked = new Set<string>();

/** Call the API and fail unless the response is documented and matches its schema. */
async function api(method: string, url: string, opts: Parameters<typeof callApi>[2] = {}): Promise<ApiResult> {
  const r = await callApi(method, url, opts);
  const op = (doc.paths[r.route] as Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }> | undefined)?.[r.method];
  expect(op, `${r.method.toUpperCase()} ${r.route} is missing from the OpenAPI document`).toBeDefined();
  const documented = op!.responses[String(r.status)];
  expect(documented, `${r.method.toUpperCase()} ${r.route} answered ${r.status}, which the document does not list`).toBeDefined();
  const type = (r.headers.get("content-type") ?? "").split(";")[0]!;
  expect(Object.keys(documented!.content ?? {}), `content type ${type}`).toContain(type);
  if (type === "application/json") {
    const validate = ajv.getSchema(`${DOC_ID}#/paths/${ptr(r.route)}/${r.method}/responses/${r.status}/content/${ptr("application/json")}/schema`)!;
    expect(validate(r.body) ? null : { body: r.body, errors: validate.errors }).toBeNull();
  }
  checked.add(`${r.method} ${r.route} ${r.status}`);
  return r;
}

const body = <T = Record<string, unknown>>(r: ApiResult) => r.body as T;

async function world() {
  const a = await seedUser(t.db);
  const b = await seedUser(t.db);
  const checking = await a.account("Checking");
  const savings = await a.account("Savings", "EUR");
  const txIds = await seedTransactions(t.db, a.userId, checking, [
    { date: "2026-01-03", amount: "-12.5000", merchant: "Grocer", category: "Groceries" },
    { date: "2026-01-02", amount: "1500.0000", description: "SALARY", category: "Income" },
    { date: "2026-01-01", amount: "-0.0100", merchant: "Bank", category: "Fees" },
  ]);
  await t.db.insert(balanceSnapshots).values(
    ["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04"].map((date, i) => ({ accountId: checking, userId: a.userId, date, current: `${100 + i}.5000`, currency: "USD" })),
  );
  const bAccount = await b.account("Theirs");
  const [bTx] = await seedTransactions(t.db, b.userId, bAccount, [{ date: "2026-01-05", amount: "-99.0000", category: "Secret" }]);
  const read = (await createApiToken(t.db, { userId: a.userId, name: "read" })).token;
  const write = (await createApiToken(t.db, { userId: a.userId, name: "write", scope: "write" })).token;
  const bWrite = (await createApiToken(t.db, { userId: b.userId, name: "b", scope: "write" })).token;
  const bHook = await createSubscription(t.db, { userId: b.userId, url: "http://127.0.0.1:9/theirs", events: ["sync.completed"] }, { allowPrivate: true });
  await emitEvent(t.db, { userId: b.userId, type: "sync.completed", data: { secret: "B's" }, jobs: null });
  const [bDelivery] = await listDeliveries(t.db, { userId: b.userId, subscriptionId: bHook.id });
  return { a, b, checking, savings, txIds, bAccount, bTx: bTx!, read, write, bWrite, bHook: bHook.id, bDelivery: bDelivery!.id };
}

describe("API v1: the OpenAPI document", () => {
  it("documents every route file and method, and every definition has a route file", async () => {
    const files = routeFiles().filter((f) => f.path !== "/openapi.json");
    const served = new Set<string>();
    for (const f of files) {
      const mod = (await import(f.file)) as Record<string, unknown>;
      for (const m of ["GET", "POST", "PATCH", "PUT", "DELETE"].filter((k) => typeof mod[k] === "function")) {
        served.add(`${m} ${f.path}`);
        expect((doc.paths as Record<string, Record<string, unknown>>)[f.path]?.[m.toLowerCase()], `${m} ${f.path} missing from openapi.json`).toBeDefined();
      }
    }
    expect(new Set(API_ROUTES.map((r) => `${r.method} ${r.path}`))).toEqual(served);
    expect(doc.openapi).toBe("3.1.0");
    // Every schema in the document is a valid JSON Schema 2020-12 that compiles.
    for (const name of Object.keys(doc.components.schemas)) expect(ajv.getSchema(`${DOC_ID}#/components/schemas/${name}`), name).toBeTypeOf("function");
    const ops = new Set<string>();
    for (const [p, methods] of Object.entries(doc.paths))
      for (const [m, op] of Object.entries(methods)) {
        expect(ops.has((op as { operationId: string }).operationId)).toBe(false);
        ops.add((op as { operationId: string }).operationId);
        for (const name of [...p.matchAll(/\{(\w+)\}/g)].map((x) => x[1]))
          expect(((op as { parameters?: { name: string; in: string }[] }).parameters ?? []).some((x) => x.name === name && x.in === "path"), `${m} ${p} {${name}}`).toBe(true);
      }
  });

  it("the Settings → API reference lists every operation with its parameters and a curl example", () => {
    const ops = referenceOperations(API_ROUTES);
    expect(ops.map((o) => `${o.method} ${o.path}`)).toEqual(API_ROUTES.map((r) => `${r.method} /api/v1${r.path}`));
    for (const o of ops) expect(o.curl).toMatch(new RegExp(`^curl .*\\$LL_URL${o.path.replace(/\{(\w+)\}/g, "<$1>").replace(/[/.]/g, "\\$&")}`));
    expect(ops.find((o) => o.path === "/api/v1/transactions")!.params.map((p) => p.name)).toEqual(expect.arrayContaining(["from", "to", "account", "category", "q", "cursor"]));
  });

  it("is served at /api/v1/openapi.json without a token", async () => {
    const r = await callApi("GET", "/api/v1/openapi.json");
    expect(r.status).toBe(200);
    expect(body<{ paths: Record<string, unknown> }>(r).paths).toHaveProperty("/transactions/{id}");
  });
});

describe("API v1: auth, scopes, rate limits", () => {
  it("refuses missing, unknown, expired and revoked tokens with 401 in the error shape", async () => {
    const w = await world();
    const none = await api("GET", "/api/v1/accounts");
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain("Bearer");
    expect(body(none)).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
    expect((await api("GET", "/api/v1/accounts", { token: "ll_nope" })).status).toBe(401);
    const expired = await createApiToken(t.db, { userId: w.a.userId, name: "old", expiresAt: new Date(Date.now() - 1000) });
    expect((await api("GET", "/api/v1/accounts", { token: expired.token })).status).toBe(401);
    const later = await createApiToken(t.db, { userId: w.a.userId, name: "later", expiresAt: new Date(Date.now() + 3600_000) });
    expect((await api("GET", "/api/v1/accounts", { token: later.token })).status).toBe(200);
  });

  it("a read-only token can read but not change anything; a read-write token can", async () => {
    const w = await world();
    const id = w.txIds[0]!;
    const denied = await api("PATCH", `/api/v1/transactions/${id}`, { token: w.read, body: { note: "x" } });
    expect(denied.status).toBe(403);
    expect(body<{ error: { code: string } }>(denied).error.code).toBe("forbidden");
    expect((await api("POST", `/api/v1/connections/${w.a.connectionId}/disconnect`, { token: w.read, body: {} })).status).toBe(403);
    const [row] = await t.db.select({ note: transactions.note }).from(transactions).where(eq(transactions.id, id));
    expect(row!.note).toBeNull();
    const ok = await api("PATCH", `/api/v1/transactions/${id}`, { token: w.write, body: { note: "  weekly shop ", category: "Food", excluded: true } });
    expect(ok.status).toBe(200);
    expect(body(ok)).toMatchObject({ id, note: "weekly shop", category: "Food", excluded: true, amount: "-12.50" });
    const [after] = await t.db.select().from(transactions).where(eq(transactions.id, id));
    expect(after!.userEditedFields.sort()).toEqual(["category", "note"]);
    const cleared = await api("PATCH", `/api/v1/transactions/${id}`, { token: w.write, body: { note: null } });
    expect(body(cleared)).toMatchObject({ note: null, category: "Food" });
    // An excluded row stays listed but leaves the filter totals.
    const totals = await summarizeTransactions(t.db, { userId: w.a.userId, filters: {} });
    expect(totals).toEqual([{ currency: "USD", count: 2, moneyIn: "1500.0000", moneyOut: "-0.0100", net: "1499.9900" }]);
    expect(body<{ transactions: unknown[] }>(await api("GET", "/api/v1/transactions", { token: w.read })).transactions).toHaveLength(3);
  });

  it("a browser session may write only from the app's own origin", async () => {
    const w = await world();
    sessionLookup.current = async () => ({ id: w.a.userId });
    const url = `/api/v1/transactions/${w.txIds[0]}`;
    expect((await api("GET", url)).status).toBe(200);
    expect((await api("PATCH", url, { body: { note: "x" }, headers: { "sec-fetch-site": "cross-site" } })).status).toBe(403);
    expect((await api("PATCH", url, { body: { note: "x" }, headers: { origin: "https://evil.example" } })).status).toBe(403);
    expect((await api("PATCH", url, { body: { note: "x" }, headers: { "sec-fetch-site": "same-origin" } })).status).toBe(200);
  });

  it("limits each token per window with RateLimit-* headers, then 429 + Retry-After; other tokens are unaffected", async () => {
    const w = await world();
    rateLimitPolicy.limit = 3;
    let now = Date.UTC(2026, 0, 1, 12, 0, 15);
    apiClock.now = () => now;
    const seen = [];
    for (let i = 0; i < 3; i++) {
      const r = await api("GET", "/api/v1/categories", { token: w.read });
      expect(r.status).toBe(200);
      seen.push([r.headers.get("ratelimit-limit"), r.headers.get("ratelimit-remaining"), r.headers.get("ratelimit-reset")]);
    }
    expect(seen).toEqual([
      ["3", "2", "45"],
      ["3", "1", "45"],
      ["3", "0", "45"],
    ]);
    const limited = await api("GET", "/api/v1/categories", { token: w.read });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("45");
    expect(body<{ error: { code: string } }>(limited).error.code).toBe("rate_limited");
    expect((await api("GET", "/api/v1/categories", { token: w.write })).status).toBe(200);
    now += 45_000;
    const fresh = await api("GET", "/api/v1/categories", { token: w.read });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get("ratelimit-remaining")).toBe("2");
  });
});

describe("API v1: isolation", () => {
  it("another user's ids answer 404 on every route with an id, and lists show only the caller's rows", async () => {
    const w = await world();
    const ids: Record<string, string> = {};
    ids.connections = w.b.connectionId;
    ids.accounts = w.bAccount;
    ids.transactions = w.bTx;
    ids.webhooks = w.bHook;
    const withId = API_ROUTES.filter((r) => r.path.includes("{id}"));
    expect(withId.length).toBeGreaterThanOrEqual(15);
    // A valid body for each change, so the 404 is about the id, not the body.
    const bodyFor = (r: (typeof API_ROUTES)[number]) =>
      r.method === "GET" ? undefined : r.method === "PATCH" ? (r.path.startsWith("/webhooks") ? { active: false, url: "http://127.0.0.1:9/mine" } : { note: "pwned" }) : {};
    for (const r of withId) {
      const resource = r.path.split("/")[1]!;
      for (const id of [ids[resource]!, "not-a-uuid", "00000000-0000-4000-8000-000000000000"]) {
        const path = r.path.replace("{id}", id).replace("{delivery_id}", id === ids[resource] ? w.bDelivery : id);
        const res = await api(r.method, `/api/v1${path}`, { token: w.write, body: bodyFor(r) });
        expect(res.status, `${r.method} ${r.path} with ${id}`).toBe(404);
        expect(body<{ error: { code: string } }>(res).error.code).toBe("not_found");
      }
    }
    // B's delivery through A's own webhook: 404 too.
    const mine = await createSubscription(t.db, { userId: w.a.userId, url: "http://127.0.0.1:9/mine", events: ["sync.completed"] }, { allowPrivate: true });
    const cross = await api("POST", `/api/v1/webhooks/${mine.id}/deliveries/${w.bDelivery}/redeliver`, { token: w.write });
    expect(cross.status).toBe(404);
    const [bSub] = await t.db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, w.bHook));
    expect(bSub).toMatchObject({ active: true, url: "http://127.0.0.1:9/theirs" });
    expect(await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.subscriptionId, w.bHook))).toHaveLength(1);
    expect(body<{ webhooks: { id: string }[] }>(await api("GET", "/api/v1/webhooks", { token: w.read })).webhooks.map((h) => h.id)).toEqual([mine.id]);
    // Nothing of B's changed.
    const [bRow] = await t.db.select({ note: transactions.note }).from(transactions).where(eq(transactions.id, w.bTx));
    expect(bRow!.note).toBeNull();
    const accts = body<{ accounts: { id: string }[] }>(await api("GET", "/api/v1/accounts", { token: w.read })).accounts.map((a) => a.id);
    expect(accts.sort()).toEqual([w.checking, w.savings].sort());
    const txs = body<{ transactions: { id: string }[] }>(await api("GET", `/api/v1/transactions?account=${w.bAccount}`, { token: w.read })).transactions;
    expect(txs).toEqual([]);
    const cats = body<{ categories: { name: string }[] }>(await api("GET", "/api/v1/categories", { token: w.read })).categories.map((c) => c.name);
    expect(cats).toEqual(["Fees", "Groceries", "Income"]);
    const conns = body<{ connections: { id: string }[] }>(await api("GET", "/api/v1/connections", { token: w.read })).connections.map((c) => c.id);
    expect(conns).toEqual([w.a.connectionId]);
    const exp = await api("GET", `/api/v1/transactions/export?format=csv&account=${w.bAccount}`, { token: w.read });
    expect(exp.text.trim().split("\r\n")).toHaveLength(1);
  });
});

describe("API v1: validation and pagination", () => {
  it("bad parameters and bodies are 400 invalid_input with field errors, and change nothing", async () => {
    const w = await world();
    const r1 = await api("GET", "/api/v1/transactions?limit=9999&from=2026-02-30", { token: w.read });
    expect(r1.status).toBe(400);
    expect(body<{ error: { field_errors: Record<string, string[]> } }>(r1).error.field_errors).toMatchObject({ limit: [expect.any(String)], from: ["That date does not exist."] });
    const r2 = await api("GET", `/api/v1/accounts/${w.checking}/balance-history?from=2026-02-01&to=2026-01-01`, { token: w.read });
    expect(body<{ error: { field_errors: Record<string, string[]> } }>(r2).error.field_errors.to).toBeDefined();
    const id = w.txIds[0]!;
    const bad = await api("PATCH", `/api/v1/transactions/${id}`, { token: w.write, body: { note: "x".repeat(2001), excluded: "yes", amount: "1" } });
    expect(bad.status).toBe(400);
    expect(Object.keys(body<{ error: { field_errors: Record<string, string[]> } }>(bad).error.field_errors).sort()).toEqual(expect.arrayContaining(["excluded", "note"]));
    expect((await api("PATCH", `/api/v1/transactions/${id}`, { token: w.write, body: {} })).status).toBe(400);
    expect((await api("PATCH", `/api/v1/transactions/${id}`, { token: w.write, rawBody: "{not json" })).status).toBe(400);
    expect((await api("GET", "/api/v1/accounts?cursor=garbage", { token: w.read })).status).toBe(400);
    expect((await api("GET", "/api/v1/export?format=xls", { token: w.read })).status).toBe(400);
    const [row] = await t.db.select().from(transactions).where(and(eq(transactions.id, id)));
    expect([row!.note, row!.excluded]).toEqual([null, false]);
  });

  it("every list pages by key: following `next` yields each row once, in order", async () => {
    const w = await world();
    for (let i = 0; i < 3; i++) await w.a.account(`Extra ${i}`);
    const follow = async (first: string, key: string) => {
      const out: { id?: string; date?: string }[] = [];
      let url: string | null = first;
      let pages = 0;
      while (url) {
        const r = await api("GET", url, { token: w.read });
        expect(r.status).toBe(200);
        const b = body<Record<string, unknown> & { next: string | null; next_cursor: string | null }>(r);
        out.push(...(b[key] as { id: string }[]));
        expect(b.next === null).toBe(b.next_cursor === null);
        url = b.next;
        pages++;
      }
      return { out, pages };
    };
    const accts = await follow("/api/v1/accounts?limit=2", "accounts");
    expect(accts.pages).toBe(3);
    expect(new Set(accts.out.map((a) => a.id)).size).toBe(5);
    const txs = await follow("/api/v1/transactions?limit=2&sort=amount&order=asc", "transactions");
    expect(txs.out.map((x) => (x as { amount: string }).amount)).toEqual(["-0.01", "-12.50", "1500.00"]);
    const hist = await follow(`/api/v1/accounts/${w.checking}/balance-history?from=2026-01-02&to=2026-01-04&limit=2`, "balances");
    expect(hist.out).toEqual([
      { date: "2026-01-02", current: "101.50", available: null, currency: "USD", derived: false },
      { date: "2026-01-03", current: "102.50", available: null, currency: "USD", derived: false },
      { date: "2026-01-04", current: "103.50", available: null, currency: "USD", derived: false },
    ]);
    expect(hist.pages).toBe(2);
    const one = await api("GET", `/api/v1/accounts/${w.checking}`, { token: w.read });
    expect(body(one)).toMatchObject({ id: w.checking, name: "Checking", connection_id: w.a.connectionId, closed: false });
    expect((await api("GET", `/api/v1/accounts/${w.checking}/balances`, { token: w.read })).status).toBe(200);
    expect(body(await api("GET", `/api/v1/transactions/${w.txIds[1]}`, { token: w.read }))).toMatchObject({ amount: "1500.00", description: "SALARY", excluded: false });
    expect((await api("GET", `/api/v1/connections/${w.a.connectionId}`, { token: w.read })).status).toBe(200);
  });

  it("exports the filtered rows as CSV and snake_case JSON (the Transaction shape)", async () => {
    const w = await world();
    const csv = await api("GET", "/api/v1/transactions/export?format=csv&direction=out", { token: w.read });
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(csv.text.trim().split("\r\n")).toHaveLength(3);
    const json = await api("GET", "/api/v1/export?format=json&category=Income", { token: w.read });
    const doc2 = JSON.parse(json.text) as { transactions: Record<string, unknown>[] };
    expect(doc2.transactions).toEqual([expect.objectContaining({ account_id: w.checking, authorized_date: null, amount: "1500.00", excluded: false })]);
    const validate = ajv.getSchema(`${DOC_ID}#/components/schemas/Transaction`)!;
    expect(validate(doc2.transactions[0])).toBe(true);
  });
});

describe("API v1: identity and webhooks", () => {
  const envKeys = ["LEDGERLINK_WEBHOOK_ALLOW_PRIVATE", "LEDGERLINK_SANDBOX"] as const;
  let saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    saved = Object.fromEntries(envKeys.map((k) => [k, process.env[k]]));
    for (const k of envKeys) delete process.env[k];
  });
  afterEach(() => {
    for (const k of envKeys) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it("identity: the owners as stored (decrypted server-side), or available: false when none were consented", async () => {
    const w = await world();
    const owner = { names: ["Alex Doe"], emails: ["alex@example.com"], phones: ["+1 555 0100"], addresses: ["1 Main St, Springfield"] };
    await t.db.update(financialAccounts).set({ identity: sealSecret(owner, w.checking) }).where(eq(financialAccounts.id, w.checking));
    const [stored] = await t.db.select({ identity: financialAccounts.identity }).from(financialAccounts).where(eq(financialAccounts.id, w.checking));
    expect(stored!.identity).not.toContain("alex@example.com");
    const r = await api("GET", `/api/v1/accounts/${w.checking}/identity`, { token: w.read });
    expect(body(r)).toEqual({ account_id: w.checking, available: true, owners: [{ names: ["Alex Doe"], emails: ["alex@example.com"], phone_numbers: ["+1 555 0100"], addresses: ["1 Main St, Springfield"] }] });
    expect(body(await api("GET", `/api/v1/accounts/${w.savings}/identity`, { token: w.read }))).toEqual({ account_id: w.savings, available: false, owners: [] });
    expect((await api("GET", `/api/v1/accounts/${w.bAccount}/identity`, { token: w.read })).status).toBe(404);
    expect((await api("GET", `/api/v1/accounts/${w.checking}/identity`, { token: w.bWrite })).status).toBe(404);
  });

  it("webhooks: create (secret once; egress rules at creation), list, get, update, rotate, deliveries with pages, redeliver, delete — read scope reads, write scope changes", async () => {
    const w = await world();
    const good = { url: "http://127.0.0.1:9/hooks", events: ["transactions.added", "import.completed"] };
    expect((await api("POST", "/api/v1/webhooks", { token: w.read, body: good })).status).toBe(403);
    // Without LEDGERLINK_WEBHOOK_ALLOW_PRIVATE: https and public addresses only.
    for (const url of ["http://127.0.0.1:9/hooks", "https://127.0.0.1/hooks", "https://10.1.2.3/x", "https://169.254.169.254/latest", "https://[::1]/x", "not a url"]) {
      const refused = await api("POST", "/api/v1/webhooks", { token: w.write, body: { ...good, url } });
      expect(refused.status, url).toBe(400);
      expect(Object.keys(body<{ error: { field_errors: Record<string, string[]> } }>(refused).error.field_errors), url).toEqual(["url"]);
    }
    const badEvents = await api("POST", "/api/v1/webhooks", { token: w.write, body: { ...good, events: ["nope"] } });
    expect(badEvents.status).toBe(400);
    expect(Object.keys(body<{ error: { field_errors: Record<string, string[]> } }>(badEvents).error.field_errors)[0]).toMatch(/^events/);
    expect(await t.db.select().from(webhookSubscriptions)).toHaveLength(1); // B's only

    process.env.LEDGERLINK_WEBHOOK_ALLOW_PRIVATE = "on";
    const made = await api("POST", "/api/v1/webhooks", { token: w.write, body: good });
    expect(made.status).toBe(201);
    const hook = body<{ id: string; secret: string; events: string[]; active: boolean }>(made);
    expect(hook).toMatchObject({ url: good.url, events: good.events, active: true, failing_since: null, disabled_at: null, previous_secret_valid_until: null });
    expect(hook.secret).toMatch(/^whsec_/);
    const list = await api("GET", "/api/v1/webhooks", { token: w.read });
    expect(body<{ webhooks: { id: string }[] }>(list).webhooks.map((h) => h.id)).toEqual([hook.id]);
    expect(list.text).not.toContain(hook.secret);
    const one = await api("GET", `/api/v1/webhooks/${hook.id}`, { token: w.read });
    expect(one.text).not.toContain(hook.secret);
    expect(body(one)).toMatchObject({ id: hook.id, url: good.url });

    // Update: events and active; a URL change is checked like a new one.
    expect((await api("PATCH", `/api/v1/webhooks/${hook.id}`, { token: w.read, body: { active: false } })).status).toBe(403);
    const off = await api("PATCH", `/api/v1/webhooks/${hook.id}`, { token: w.write, body: { active: false, events: ["sync.completed", "consent.expiring"] } });
    expect(body(off)).toMatchObject({ active: false, events: ["sync.completed", "consent.expiring"] });
    expect((await api("PATCH", `/api/v1/webhooks/${hook.id}`, { token: w.write, body: {} })).status).toBe(400);
    delete process.env.LEDGERLINK_WEBHOOK_ALLOW_PRIVATE;
    const privateUrl = await api("PATCH", `/api/v1/webhooks/${hook.id}`, { token: w.write, body: { url: "https://192.168.1.5/x" } });
    expect(privateUrl.status).toBe(400);
    expect(body<{ error: { field_errors: Record<string, string[]> } }>(privateUrl).error.field_errors.url).toBeDefined();
    const on = await api("PATCH", `/api/v1/webhooks/${hook.id}`, { token: w.write, body: { active: true } });
    expect(body(on)).toMatchObject({ active: true, url: good.url });

    // Rotate: a new secret, shown once; the old one signs along for 24 h.
    expect((await api("POST", `/api/v1/webhooks/${hook.id}/rotate-secret`, { token: w.read })).status).toBe(403);
    const rot = body<{ secret: string; previous_secret_valid_until: string }>(await api("POST", `/api/v1/webhooks/${hook.id}/rotate-secret`, { token: w.write }));
    expect(rot.secret).toMatch(/^whsec_/);
    expect(rot.secret).not.toBe(hook.secret);
    expect(Date.parse(rot.previous_secret_valid_until) - Date.now()).toBeGreaterThan(23 * 3600_000);
    expect(body(await api("GET", `/api/v1/webhooks/${hook.id}`, { token: w.read }))).toMatchObject({ previous_secret_valid_until: rot.previous_secret_valid_until });

    // Deliveries: three events, read two at a time by following `next`.
    const events: string[] = [];
    for (let i = 0; i < 3; i++) events.push((await emitEvent(t.db, { userId: w.a.userId, type: "sync.completed", data: { i }, now: new Date(Date.UTC(2026, 0, 1, 12, i)), jobs: null })).eventId);
    const seen: { id: string; event_id: string; status: string }[] = [];
    let next: string | null = `/api/v1/webhooks/${hook.id}/deliveries?limit=2`;
    let pages = 0;
    while (next) {
      const res: ApiResult = await api("GET", next, { token: w.read });
      const page = body<{ deliveries: { id: string; event_id: string; status: string }[]; next: string | null }>(res);
      seen.push(...page.deliveries);
      next = page.next;
      pages++;
    }
    expect(pages).toBe(2);
    expect(seen.map((d) => d.event_id)).toEqual([...events].reverse());
    expect(seen.every((d) => d.status === "pending")).toBe(true);

    // Redeliver: a new delivery of the same event, queued (202).
    expect((await api("POST", `/api/v1/webhooks/${hook.id}/deliveries/${seen[0]!.id}/redeliver`, { token: w.read })).status).toBe(403);
    const again = await api("POST", `/api/v1/webhooks/${hook.id}/deliveries/${seen[0]!.id}/redeliver`, { token: w.write });
    expect(again.status).toBe(202);
    expect(body(again)).toMatchObject({ event_id: seen[0]!.event_id, status: "pending", attempts: 0 });
    expect(body<{ id: string }>(again).id).not.toBe(seen[0]!.id);

    // Delete: gone with its log.
    expect((await api("DELETE", `/api/v1/webhooks/${hook.id}`, { token: w.read })).status).toBe(403);
    expect(body(await api("DELETE", `/api/v1/webhooks/${hook.id}`, { token: w.write }))).toEqual({ id: hook.id, deleted: true });
    expect((await api("GET", `/api/v1/webhooks/${hook.id}`, { token: w.read })).status).toBe(404);
    expect(await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.subscriptionId, hook.id))).toEqual([]);
    expect(await t.db.select().from(webhookAttempts)).toEqual([]);
  });
});

describe("API v1: connections", () => {
  it("refresh queues a sync job and answers 202 with its run id; the run appears in runs; dry run writes nothing; disconnect keeps the data", async () => {
    const w = await world();
    const { connectionId } = await linkConnection(t.db, { userId: w.a.userId, connectorId: "demo", payload: { institutionId: "demo_platypus", historyDays: 20, seed: 3 } });
    const jobs = await createJobQueue(t, { url: t.url, supervise: false });
    useJobQueue(jobs);
    try {
      // No worker yet: the request only queues (nothing is synced in the request).
      const r = await api("POST", `/api/v1/connections/${connectionId}/refresh`, { token: w.write });
      expect(r.status).toBe(202);
      const res = body<{ run_id: string; status: string; added: number | null; dry_run: boolean; not_before: string | null; runs: string }>(r);
      expect(res).toMatchObject({ status: "queued", dry_run: false, added: null, not_before: null, runs: `/api/v1/connections/${connectionId}/runs` });
      expect((await t.db.select({ id: transactions.id }).from(transactions).where(eq(transactions.userId, w.a.userId))).length).toBe(3);
      // A second refresh while it waits joins it: the same run id, one job.
      const again = body<{ run_id: string; status: string }>(await api("POST", `/api/v1/connections/${connectionId}/refresh`, { token: w.write }));
      expect(again).toMatchObject({ run_id: res.run_id, status: "queued" });
      expect((await jobs.byKey("sync.connection", connectionId)).filter((j) => j.state === "created")).toHaveLength(1);
      // Another user cannot refresh it.
      expect((await api("POST", `/api/v1/connections/${connectionId}/refresh`, { token: w.bWrite })).status).toBe(404);

      // A worker runs it; the caller follows the promised run id in the runs list.
      await jobs.work("sync.connection", { pollMs: 500 }, async (data) => runSyncJob(t.db, jobs, data as never));
      let run: { id: string; status: string; added: number; trigger: string } | undefined;
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((x) => setTimeout(x, 300))) {
        const list = body<{ runs: { id: string; status: string; added: number; trigger: string }[] }>(await api("GET", `/api/v1/connections/${connectionId}/runs`, { token: w.read }));
        run = list.runs.find((x) => x.id === res.run_id && x.status !== "running");
        if (run) break;
      }
      expect(run).toMatchObject({ id: res.run_id, status: "success", trigger: "manual" });
      expect(run!.added).toBeGreaterThan(0);
      const stored = await t.db.select({ id: transactions.id }).from(transactions).where(eq(transactions.userId, w.a.userId));
      expect(stored.length).toBe(3 + run!.added);

      const dryRes = await api("POST", `/api/v1/connections/${connectionId}/refresh`, { token: w.write, body: { dry_run: true } });
      const dry = body<{ run_id: string; dry_run: boolean; status: string; added: number }>(dryRes);
      expect(dry).toMatchObject({ dry_run: true, status: "success", added: expect.any(Number) });
      expect((await t.db.select({ id: transactions.id }).from(transactions).where(eq(transactions.userId, w.a.userId))).length).toBe(stored.length);
      const runs = body<{ runs: { id: string; added: number; dry_run: boolean }[] }>(await api("GET", `/api/v1/connections/${connectionId}/runs?limit=1`, { token: w.read }));
      expect(runs.runs).toEqual([expect.objectContaining({ id: dry.run_id, dry_run: true })]);
      const page2 = body<{ runs: { id: string; added: number }[] }>(await api("GET", `/api/v1/connections/${connectionId}/runs?limit=1&cursor=${encodeURIComponent((runs as unknown as { next_cursor: string }).next_cursor)}`, { token: w.read }));
      expect(page2.runs).toEqual([expect.objectContaining({ id: res.run_id, added: run!.added })]);
      const conn = body<{ account_count: number; status: string; last_synced_at: string | null; next_sync_at: string | null }>(await api("GET", `/api/v1/connections/${connectionId}`, { token: w.read }));
      expect(conn.account_count).toBeGreaterThan(0);
      expect(conn.last_synced_at).not.toBeNull();
      expect(conn.next_sync_at).not.toBeNull();
      const d = await api("POST", `/api/v1/connections/${connectionId}/disconnect`, { token: w.write, body: { keep_data: true } });
      expect(body(d)).toEqual({ id: connectionId, status: "disconnected", kept_data: true, revoked_remotely: true });
      expect((await t.db.select({ id: transactions.id }).from(transactions).where(eq(transactions.userId, w.a.userId))).length).toBe(stored.length);
      const afterDisconnect = await api("POST", `/api/v1/connections/${connectionId}/refresh`, { token: w.write });
      expect(afterDisconnect.status).toBe(400);
    } finally {
      useJobQueue(undefined);
      await jobs.stop();
    }
  });

  it("statement imports and net worth go through the same wrapper: scopes, isolation, documented answers", async () => {
    const w = await world();
    expect((await api("GET", "/api/v1/net-worth?from=2026-01-01&to=2026-01-04", { token: w.read })).status).toBe(200);
    expect((await api("GET", "/api/v1/net-worth/distribution?date=2026-01-04", { token: w.read })).status).toBe(200);

    // A real MT940 statement (read in place): 6 entries, imported into a new account.
    const bytes = fs.readFileSync(path.join(process.cwd(), "..", "shared", "fixtures", "external", "mt940", "phpmt940-kontist_sample"));
    const form = () => {
      const f = new FormData();
      f.append("file", new Blob([bytes]), "kontist.sta");
      return f;
    };
    expect((await api("POST", "/api/v1/imports", { token: w.read, form: form() })).status).toBe(403);
    // 50 MB or more: 413 with the reason, nothing written
    const huge = new FormData();
    huge.append("file", new Blob([new Uint8Array(MAX_STATEMENT_BYTES)]), "huge.ofx");
    const refused = await api("POST", "/api/v1/imports", { token: w.write, form: huge });
    expect(refused.status).toBe(413);
    expect(JSON.stringify(refused.body)).toContain("huge.ofx is 50.0 MB; statements must be smaller than 50 MB");
    expect(body<{ imports: unknown[] }>(await api("GET", "/api/v1/imports", { token: w.read })).imports).toEqual([]);
    const made = await api("POST", "/api/v1/imports", { token: w.write, form: form() });
    expect(made.status).toBe(201);
    const outcome = body<{ imports: { importId: string; added: number }[] }>(made).imports[0]!;
    expect(outcome.added).toBe(6);
    const listed = body<{ imports: { id: string }[] }>(await api("GET", "/api/v1/imports", { token: w.read })).imports;
    expect(listed.map((i) => i.id)).toEqual([outcome.importId]);
    expect(body<{ imports: unknown[] }>(await api("GET", "/api/v1/imports", { token: w.bWrite })).imports).toEqual([]);
    // Another user cannot undo it; the owner can, once.
    expect((await api("DELETE", `/api/v1/imports/${outcome.importId}`, { token: w.bWrite })).status).toBe(404);
    expect((await api("DELETE", "/api/v1/imports/not-a-uuid", { token: w.write })).status).toBe(404);
    expect((await api("DELETE", `/api/v1/imports/${outcome.importId}`, { token: w.write })).status).toBe(200);
  });

  it("net worth changes and 'what changed this month' (hand-computed), and another user's token sees none of it", async () => {
    await seedEcbHistory(t.db, { from: "2025-04-01", to: "2025-05-09" });
    // Base EUR, 9 May 2025. ECB: USD 1.1373 (30 Apr), 1.1297 (8 May), 1.1252 (9 May); GBP 0.8518, 0.8476, 0.8477.
    const a = await seedUser(t.db);
    const b = await seedUser(t.db);
    await t.db.update(users).set({ baseCurrency: "EUR" }).where(eq(users.id, a.userId));
    const usd = await a.account("Checking", "USD");
    await t.db.insert(balanceSnapshots).values([
      { accountId: usd, userId: a.userId, date: "2025-04-30", current: "1000.00", currency: "USD" },
      { accountId: usd, userId: a.userId, date: "2025-05-09", current: "1200.00", currency: "USD" },
    ]);
    await seedTransactions(t.db, a.userId, usd, [
      { date: "2025-05-02", amount: "200.00", currency: "USD" },
      { date: "2025-05-05", amount: "-50.00", currency: "USD" },
    ]);
    const house = await createManualAccount(t.db, { userId: a.userId, input: manualAccountSchema.parse({ name: "House", kind: "property", currency: "EUR" }) });
    const wallet = await createManualAccount(t.db, { userId: a.userId, input: manualAccountSchema.parse({ name: "Wallet", kind: "cash", currency: "GBP" }) });
    await recordValuation(t.db, { userId: a.userId, input: valuationSchema.parse({ accountId: house.id, date: "2025-04-01", value: "300000" }) });
    await recordValuation(t.db, { userId: a.userId, input: valuationSchema.parse({ accountId: house.id, date: "2025-05-05", value: "310000" }) });
    await recordValuation(t.db, { userId: a.userId, input: valuationSchema.parse({ accountId: wallet.id, date: "2025-04-15", value: "100" }) });
    await addManualTransaction(t.db, { userId: a.userId, input: { accountId: wallet.id, date: "2025-05-03", amount: "20", description: "ATM" } });
    // B owns a valued asset of its own: it must never reach A's figures, nor A's reach B's.
    const bBoat = await createManualAccount(t.db, { userId: b.userId, input: manualAccountSchema.parse({ name: "B's boat", kind: "vehicle", currency: "EUR" }) });
    await recordValuation(t.db, { userId: b.userId, input: valuationSchema.parse({ accountId: bBoat.id, date: "2025-04-01", value: "5000" }) });
    const aRead = (await createApiToken(t.db, { userId: a.userId, name: "read" })).token;
    const bRead = (await createApiToken(t.db, { userId: b.userId, name: "b" })).token;

    // 9 May: Checking 1200/1.1252 = 1066.48, House 310000, Wallet 120/0.8477 = 141.56 → 311208.04.
    // 8 May: 1000/1.1297 = 885.19 + 310000 + 120/0.8476 = 141.58 → 311026.77: +181.27 (0.06 %).
    // 9 Apr: only the House (300000): +11208.04 (3.74 %). 30 Apr: 879.28 + 300000 + 117.40 = 300996.68: +10211.36 (3.39 %).
    // A year before nothing was held: null, not zero.
    const res = await api("GET", "/api/v1/net-worth/changes?date=2025-05-09&since=2025-04-30", { token: aRead });
    expect(res.status).toBe(200);
    const c = body<{ base: string; total: string; changes: Record<string, unknown>; accounts: { id: string; source: string; name: string; changes: Record<string, unknown> }[] }>(res);
    expect(c).toMatchObject({ base: "EUR", date: "2025-05-09", since: "2025-04-30", total: "311208.0400" });
    expect(c.changes).toEqual({
      day: { from: "2025-05-08", start: "311026.7700", end: "311208.0400", amount: "181.2700", percent: "0.06" },
      month: { from: "2025-04-09", start: "300000.0000", end: "311208.0400", amount: "11208.0400", percent: "3.74" },
      year: null,
      since: { from: "2025-04-30", start: "300996.6800", end: "311208.0400", amount: "10211.3600", percent: "3.39" },
    });
    const acct = (name: string) => c.accounts.find((x) => x.name === name)!;
    expect(c.accounts.map((x) => x.name).sort()).toEqual(["Checking", "House", "Wallet"]);
    expect(acct("Checking")).toMatchObject({ id: usd, source: "linked" });
    expect(acct("Checking").changes.since).toEqual({ from: "2025-04-30", start: "879.2800", end: "1066.4800", amount: "187.2000", percent: "21.29" });
    expect(acct("Checking").changes.month).toBeNull(); // no balance yet on 9 Apr
    expect(acct("House")).toMatchObject({ id: house.id, source: "manual" });
    expect(acct("House").changes.month).toEqual({ from: "2025-04-09", start: "300000.0000", end: "310000.0000", amount: "10000.0000", percent: "3.33" });

    // What changed this month (since 30 Apr): the split sums exactly to each change (see lib/wealth/changes.int.test.ts).
    const m = body<{ from: string; to: string; accounts: { id: string; name: string }[]; totals: unknown }>(await api("GET", "/api/v1/net-worth/month?date=2025-05-09", { token: aRead }));
    expect(m).toMatchObject({ base: "EUR", from: "2025-04-30", to: "2025-05-09" });
    expect(m.accounts.find((x) => x.name === "Checking")).toEqual({
      id: usd, source: "linked", name: "Checking", currency: "USD", start: "879.2800", end: "1066.4800", change: "187.2000", cash_flow: "133.3100", revaluation: "44.4400", fx: "9.4500",
    });
    expect(m.accounts.find((x) => x.name === "Wallet")).toMatchObject({ id: wallet.id, source: "manual", change: "24.1600", cash_flow: "23.5900", revaluation: "0.0000", fx: "0.5700" });
    expect(m.totals).toEqual({ change: "10211.3600", cash_flow: "156.9000", revaluation: "10044.4400", fx: "10.0200" });
    // In another base currency on request.
    expect(body<{ base: string }>(await api("GET", "/api/v1/net-worth/month?date=2025-05-09&base=usd", { token: aRead })).base).toBe("USD");

    // B's token: only B's boat, nothing of A's (ids, names, amounts).
    const bc = await api("GET", "/api/v1/net-worth/changes?date=2025-05-09&since=2025-04-30", { token: bRead });
    const bm = await api("GET", "/api/v1/net-worth/month?date=2025-05-09", { token: bRead });
    for (const r of [bc, bm]) {
      expect(r.status).toBe(200);
      const text = JSON.stringify(r.body);
      for (const secret of [usd, house.id, wallet.id, "Checking", "House", "Wallet", "1066.48", "310000"]) expect(text).not.toContain(secret);
      expect(body<{ accounts: { id: string }[] }>(r).accounts.map((x) => x.id)).toEqual([bBoat.id]);
    }
    // B's base is USD: 5000 EUR × 1.1252 = 5626.00.
    expect(body<{ base: string; total: string }>(bc)).toMatchObject({ base: "USD", total: "5626.0000" });
    expect(JSON.stringify(res.body)).not.toContain(bBoat.id);

    // Bad input: a clear 400, never a guess; no token: 401.
    const future = await api("GET", "/api/v1/net-worth/changes?date=2999-01-01", { token: aRead });
    expect(future.status).toBe(400);
    expect(body<{ error: { field_errors: Record<string, string[]> } }>(future).error.field_errors.date).toEqual(["The date is in the future"]);
    const after = await api("GET", "/api/v1/net-worth/changes?date=2025-05-09&since=2025-06-01", { token: aRead });
    expect(after.status).toBe(400);
    expect(body<{ error: { field_errors: Record<string, string[]> } }>(after).error.field_errors.since).toEqual(["since must be on or before the date"]);
    expect((await api("GET", "/api/v1/net-worth/month?date=2025-02-30", { token: aRead })).status).toBe(400);
    expect((await api("GET", "/api/v1/net-worth/month?base=XXX", { token: aRead })).status).toBe(400);
    expect((await api("GET", "/api/v1/net-worth/changes")).status).toBe(401);
  });

  it("every route answered at least one documented success in these tests", () => {
    for (const r of API_ROUTES) {
      const ok = [...checked].some((c) => c.startsWith(`${r.method.toLowerCase()} ${r.path} 2`));
      expect(ok, `${r.method} ${r.path} never answered a checked 2xx`).toBe(true);
    }
  });
});
