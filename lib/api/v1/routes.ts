import "server-only";
import { z } from "zod";
import { disconnectConnection } from "@/lib/connections/service";
import { queueSyncRun } from "@/lib/jobs/app";
import { manualRefreshBlock } from "@/lib/sync/budget";
import { connectorOrNull } from "@/lib/connectors/registry";
import { syncConnection } from "@/lib/sync/engine";
import { AppError } from "@/lib/errors";
import { auditLog } from "@/db/schema";
import { NextResponse } from "next/server";
import { commitImport, listImports, previewImport, undoImport } from "@/lib/statements/import";
import { readImportRequest } from "@/lib/statements/upload";
import { changesJson, distributionJson, monthChangesJson, netWorthJson } from "@/lib/wealth/api";
import { transactionFiltersSchema } from "@/lib/transactions/filters";
import { getTransaction, queryTransactions } from "@/lib/transactions/query";
import { getAccountIdentity } from "@/lib/accounts/query";
import { currentJobs } from "@/lib/jobs/current";
import type { WebhookEvent } from "@/lib/webhooks/events";
import {
  createSubscription,
  deleteSubscription,
  getSubscription,
  listDeliveries,
  listSubscriptions,
  redeliver,
  rotateSecret,
  updateSubscription,
  type SubscriptionRow,
} from "@/lib/webhooks/subscriptions";
import { EXPORT_CONTENT_TYPES, EXPORT_FORMATS, exportFileName, exportStream } from "@/lib/transactions/export";
import { defineRoute, notFound, ownedId, type AnyRouteDef } from "./define";
import { decodeKey, encodeKey } from "./queries";
import {
  categoriesWithCounts,
  findAccount,
  findConnection,
  pageAccounts,
  pageBalanceHistory,
  pageConnections,
  pageRuns,
  patchTransaction,
  type AccountRow,
  type ConnectionRow,
} from "./queries";
import * as S from "./schemas";
import { apiTransaction, iso, moneyOrNull } from "./serialize";

/**
 * Every /api/v1 route, defined once: the Next.js route files export `handle(def)`, and
 * the OpenAPI document is generated from this list. Adding a route = a definition here
 * + a route file; the OpenAPI test fails if either is missing.
 */

const idParams = z.object({ id: z.string() });

/** Relative URL of the next page: the same query with `cursor` replaced. */
function nextLink(url: URL, cursor: string | null): string | null {
  if (!cursor) return null;
  const u = new URL(url);
  u.searchParams.set("cursor", cursor);
  return u.pathname + u.search;
}

const apiConnection = (c: ConnectionRow) => ({
  id: c.id,
  provider: c.connectorId,
  name: c.displayName,
  institution: c.institutionName,
  status: c.status,
  account_count: c.accountCount,
  last_synced_at: iso(c.lastSyncedAt),
  next_sync_at: iso(c.nextSyncAt),
  error_code: c.lastErrorCode,
  error_message: c.lastErrorMessage,
  retry_at: iso(c.retryAt),
  consent_expires_at: iso(c.consentExpiresAt),
  created_at: iso(c.createdAt)!,
});

const apiAccount = (a: AccountRow) => ({
  id: a.id,
  connection_id: a.connectionId,
  name: a.name,
  official_name: a.officialName,
  type: a.type,
  subtype: a.subtype,
  currency: a.currency,
  mask: a.mask,
  iban: a.iban,
  institution: a.institutionName,
  current_balance: moneyOrNull(a.currentBalance),
  available_balance: moneyOrNull(a.availableBalance),
  balance_updated_at: iso(a.balanceUpdatedAt),
  hidden: a.hidden,
  closed: a.closedAt !== null,
});

async function ownedConnection(db: Parameters<typeof findConnection>[0], userId: string, rawId: string) {
  const c = await findConnection(db, { userId, id: ownedId(rawId, "connection") });
  if (!c) throw notFound("connection");
  return c;
}

async function ownedAccount(db: Parameters<typeof findAccount>[0], userId: string, rawId: string) {
  const a = await findAccount(db, { userId, id: ownedId(rawId, "account") });
  if (!a) throw notFound("account");
  return a;
}

// ------------------------------------------------------------------ connections

export const listConnectionsRoute = defineRoute({
  method: "GET",
  path: "/connections",
  operationId: "listConnections",
  summary: "List connections",
  description: "Your linked bank logins, newest first.",
  tag: "Connections",
  scope: "read",
  query: S.pageQuerySchema,
  response: S.connectionPageSchema,
  handler: async ({ db, userId, query, url }) => {
    const p = await pageConnections(db, { userId, limit: query.limit, cursor: query.cursor });
    return { connections: p.rows.map(apiConnection), next_cursor: p.nextCursor, next: nextLink(url, p.nextCursor) };
  },
});

export const getConnectionRoute = defineRoute({
  method: "GET",
  path: "/connections/{id}",
  operationId: "getConnection",
  summary: "Get a connection",
  tag: "Connections",
  scope: "read",
  params: idParams,
  response: S.connectionSchema,
  errors: [404],
  handler: async ({ db, userId, params }) => apiConnection(await ownedConnection(db, userId, params.id)),
});

export const refreshConnectionRoute = defineRoute({
  method: "POST",
  path: "/connections/{id}/refresh",
  operationId: "refreshConnection",
  summary: "Refresh a connection now",
  description:
    "Queues a sync as a background job and answers 202 at once with `status: \"queued\"` and the `run_id` it will be recorded under: follow it in the connection's runs until it is `success` or `error`. A refresh while one is already queued joins it (same run id); one while a sync runs is queued to follow it. `{\"dry_run\": true}` computes the diff in the request (bounded), writes nothing and answers its counts.",
  tag: "Connections",
  scope: "write",
  params: idParams,
  body: z.object({ dry_run: z.boolean({ error: "dry_run must be true or false." }).default(false) }).strict(),
  status: 202,
  response: S.refreshResultSchema,
  errors: [404, 409],
  example: `curl -X POST -H "Authorization: Bearer $LL_TOKEN" -H "content-type: application/json" -d '{"dry_run":false}' "$LL_URL/api/v1/connections/<id>/refresh"`,
  handler: async ({ db, userId, params, body }) => {
    const c = await ownedConnection(db, userId, params.id);
    const runs = `/api/v1/connections/${c.id}/runs`;
    if (!body.dry_run) {
      if (c.status === "disconnected") throw new AppError("invalid_request", "This connection is disconnected. Link the bank again to sync.");
      // A provider's daily budget (PSD2 refreshes, SimpleFIN requests): refused up front, nothing queued, no skipped run.
      const block = await manualRefreshBlock(db, { userId, connectionId: c.id }, connectorOrNull);
      if (block) throw new AppError("rate_limited", block.message, { retryAfter: Math.max(1, Math.ceil((block.nextAt.getTime() - Date.now()) / 1000)) });
      const q = await queueSyncRun({ userId, connectionId: c.id, trigger: "manual" });
      if (!q.runId) throw new AppError("already_syncing", "A sync of this connection is already queued. Follow its runs.");
      await db.insert(auditLog).values({ userId, action: "connection.refreshed", targetType: "connection", targetId: c.id, metadata: { via: "api" } });
      const notBefore = c.retryAt && c.retryAt > new Date() ? c.retryAt : null;
      return { run_id: q.runId, dry_run: false, status: "queued" as const, not_before: iso(notBefore), added: null, modified: null, removed: null, error_code: null, error_message: null, runs };
    }
    const r = await syncConnection(db, { userId, connectionId: c.id, trigger: "manual", dryRun: true });
    if (r.status === "already_syncing") throw new AppError("already_syncing", "A sync of this connection is already running. Follow its runs.");
    if (r.status === "error") return { run_id: r.runId, dry_run: true, status: "error" as const, not_before: null, added: 0, modified: 0, removed: 0, error_code: r.code, error_message: r.message, runs };
    return {
      run_id: r.runId,
      dry_run: r.dryRun,
      status: "success" as const,
      not_before: null,
      added: r.diff.added,
      modified: r.diff.modified,
      removed: r.diff.removed,
      error_code: null,
      error_message: null,
      runs,
    };
  },
});

export const listRunsRoute = defineRoute({
  method: "GET",
  path: "/connections/{id}/runs",
  operationId: "listConnectionRuns",
  summary: "List a connection's sync runs",
  description: "Every sync attempt with its counts and error, newest first.",
  tag: "Connections",
  scope: "read",
  params: idParams,
  query: S.pageQuerySchema,
  response: S.syncRunPageSchema,
  errors: [404],
  handler: async ({ db, userId, params, query, url }) => {
    const c = await ownedConnection(db, userId, params.id);
    const p = await pageRuns(db, { userId, connectionId: c.id, limit: query.limit, cursor: query.cursor });
    return {
      runs: p.rows.map((r) => ({
        id: r.id,
        connection_id: r.connectionId,
        trigger: r.trigger,
        dry_run: r.dryRun,
        status: r.status,
        started_at: iso(r.startedAt)!,
        finished_at: iso(r.finishedAt),
        added: r.added,
        modified: r.modified,
        removed: r.removed,
        accounts: r.accounts,
        error_code: r.errorCode,
        error_message: r.errorMessage,
      })),
      next_cursor: p.nextCursor,
      next: nextLink(url, p.nextCursor),
    };
  },
});

export const disconnectConnectionRoute = defineRoute({
  method: "POST",
  path: "/connections/{id}/disconnect",
  operationId: "disconnectConnection",
  summary: "Disconnect a connection",
  description: "Revokes access at the provider (best effort), then keeps the imported data (default) or deletes it.",
  tag: "Connections",
  scope: "write",
  params: idParams,
  body: S.disconnectBodySchema.strict(),
  response: S.disconnectResultSchema,
  errors: [404],
  handler: async ({ db, userId, params, body }) => {
    const c = await ownedConnection(db, userId, params.id);
    const r = await disconnectConnection(db, { userId, connectionId: c.id, keepData: body.keep_data });
    return { id: c.id, status: "disconnected" as const, kept_data: body.keep_data, revoked_remotely: r.revokedRemotely };
  },
});

// ------------------------------------------------------------------ accounts

export const listAccountsRoute = defineRoute({
  method: "GET",
  path: "/accounts",
  operationId: "listAccounts",
  summary: "List accounts",
  description: "Every account (hidden and closed ones included, flagged) with its latest balances, in the order they were linked.",
  tag: "Accounts",
  scope: "read",
  query: S.pageQuerySchema.extend({ connection: z.uuid({ error: "Unknown connection." }).optional().describe("Only this connection's accounts.") }),
  response: S.accountPageSchema,
  example: `curl -H "Authorization: Bearer $LL_TOKEN" "$LL_URL/api/v1/accounts?limit=50"`,
  handler: async ({ db, userId, query, url }) => {
    const p = await pageAccounts(db, { userId, limit: query.limit, cursor: query.cursor, connectionId: query.connection });
    return { accounts: p.rows.map(apiAccount), next_cursor: p.nextCursor, next: nextLink(url, p.nextCursor) };
  },
});

export const getAccountRoute = defineRoute({
  method: "GET",
  path: "/accounts/{id}",
  operationId: "getAccount",
  summary: "Get an account",
  tag: "Accounts",
  scope: "read",
  params: idParams,
  response: S.accountSchema,
  errors: [404],
  handler: async ({ db, userId, params }) => apiAccount(await ownedAccount(db, userId, params.id)),
});

export const getBalancesRoute = defineRoute({
  method: "GET",
  path: "/accounts/{id}/balances",
  operationId: "getAccountBalances",
  summary: "Current balances of an account",
  tag: "Accounts",
  scope: "read",
  params: idParams,
  response: S.balancesSchema,
  errors: [404],
  handler: async ({ db, userId, params }) => {
    const a = await ownedAccount(db, userId, params.id);
    return { account_id: a.id, currency: a.currency, current: moneyOrNull(a.currentBalance), available: moneyOrNull(a.availableBalance), updated_at: iso(a.balanceUpdatedAt) };
  },
});

export const balanceHistoryRoute = defineRoute({
  method: "GET",
  path: "/accounts/{id}/balance-history",
  operationId: "getAccountBalanceHistory",
  summary: "Daily balance history of an account",
  description: "One balance per calendar day within from/to (inclusive), oldest first.",
  tag: "Accounts",
  scope: "read",
  params: idParams,
  query: S.balanceHistoryQuerySchema,
  response: S.balanceHistoryPageSchema,
  errors: [404],
  example: `curl -H "Authorization: Bearer $LL_TOKEN" "$LL_URL/api/v1/accounts/<id>/balance-history?from=2026-01-01&to=2026-03-31"`,
  handler: async ({ db, userId, params, query, url }) => {
    const a = await ownedAccount(db, userId, params.id);
    const p = await pageBalanceHistory(db, { userId, accountId: a.id, from: query.from, to: query.to, limit: query.limit, cursor: query.cursor });
    return {
      balances: p.rows.map((b) => ({ date: b.date, current: moneyOrNull(b.current), available: moneyOrNull(b.available), currency: b.currency, derived: b.derived })),
      next_cursor: p.nextCursor,
      next: nextLink(url, p.nextCursor),
    };
  },
});

// ------------------------------------------------------------------ transactions

export const listTransactionsRoute = defineRoute({
  method: "GET",
  path: "/transactions",
  operationId: "listTransactions",
  summary: "List transactions",
  description:
    "The same filters as the transactions table and the export (one schema). Repeat `account`, `category` and `type` for several values. Follow `next` until it is null.",
  tag: "Transactions",
  scope: "read",
  query: transactionFiltersSchema,
  response: S.transactionPageSchema,
  example: `curl -H "Authorization: Bearer $LL_TOKEN" "$LL_URL/api/v1/transactions?from=2026-01-01&direction=out&limit=100"`,
  handler: async ({ db, userId, query, url }) => {
    const p = await queryTransactions(db, { userId, filters: query });
    return { transactions: p.rows.map(apiTransaction), next_cursor: p.nextCursor, next: nextLink(url, p.nextCursor) };
  },
});

export const getTransactionRoute = defineRoute({
  method: "GET",
  path: "/transactions/{id}",
  operationId: "getTransaction",
  summary: "Get a transaction",
  tag: "Transactions",
  scope: "read",
  params: idParams,
  response: S.transactionSchema,
  errors: [404],
  handler: async ({ db, userId, params }) => {
    const t = await getTransaction(db, { userId, id: ownedId(params.id, "transaction") });
    if (!t) throw notFound("transaction");
    return apiTransaction(t);
  },
});

export const patchTransactionRoute = defineRoute({
  method: "PATCH",
  path: "/transactions/{id}",
  operationId: "updateTransaction",
  summary: "Change a transaction's category, note or exclusion",
  description: "Edited fields are kept across syncs (the bank's later data never overwrites them).",
  tag: "Transactions",
  scope: "write",
  params: idParams,
  body: S.transactionPatchSchema,
  response: S.transactionSchema,
  errors: [404],
  example: `curl -X PATCH -H "Authorization: Bearer $LL_TOKEN" -H "content-type: application/json" -d '{"category":"Groceries","note":"weekly shop"}' "$LL_URL/api/v1/transactions/<id>"`,
  handler: async ({ db, userId, params, body }) => {
    const id = ownedId(params.id, "transaction");
    if (!(await patchTransaction(db, { userId, id, patch: body }))) throw notFound("transaction");
    return apiTransaction((await getTransaction(db, { userId, id }))!);
  },
});

const exportQuery = transactionFiltersSchema.safeExtend({
  format: z.preprocess((v) => (v === "" || v === undefined ? undefined : v), z.enum(EXPORT_FORMATS, { error: "format must be csv, json or ofx" }).default("csv")),
});

const exportDef = (path: string, operationId: string) =>
  defineRoute({
    method: "GET",
    path,
    operationId,
    summary: path === "/export" ? "Export transactions (alias of /transactions/export)" : "Export transactions",
    description: "Exactly the filtered rows (all pages), streamed as CSV, JSON (the Transaction shape) or OFX 2.2. `limit` and `cursor` are ignored.",
    tag: "Transactions",
    scope: "read",
    query: exportQuery,
    raw: { contentTypes: Object.values(EXPORT_CONTENT_TYPES), description: "The export file.", json: S.transactionExportSchema },
    example: path === "/export" ? undefined : `curl -OJ -H "Authorization: Bearer $LL_TOKEN" "$LL_URL/api/v1/transactions/export?format=csv&from=2026-01-01"`,
    handler: async ({ db, userId, query }) => {
      const { format, ...filters } = query;
      const all = { ...filters, cursor: undefined };
      const onDone = async (rows: number) => {
        await db.insert(auditLog).values({ userId, action: "export.created", targetType: "transactions", metadata: { format, rows } });
      };
      return new Response(exportStream(db, { userId, filters: all, format, onDone }), {
        headers: {
          "content-type": EXPORT_CONTENT_TYPES[format],
          "content-disposition": `attachment; filename="${exportFileName(format, all)}"`,
          "cache-control": "no-store",
        },
      });
    },
  });

export const exportTransactionsRoute = exportDef("/transactions/export", "exportTransactions");
export const exportAliasRoute = exportDef("/export", "exportTransactionsAlias");

// ------------------------------------------------------------------ categories

export const listCategoriesRoute = defineRoute({
  method: "GET",
  path: "/categories",
  operationId: "listCategories",
  summary: "List categories in use",
  description: "Every category on your transactions with how many use it, by name. (A short list: no pages.)",
  tag: "Categories",
  scope: "read",
  response: S.categoryListSchema,
  handler: async ({ db, userId }) => ({ categories: (await categoriesWithCounts(db, { userId })).map((c) => ({ name: c.name, transaction_count: c.n })) }),
});

// ------------------------------------------------------------------ statement imports

/** A JSON object documented in prose (its fields are described with the operation). */
const jsonObject = z.object({}).catchall(z.unknown());

const importsDoc = "Multipart form: `file` (one or more statement files: OFX/QFX, CAMT.053, MT940, QIF or CSV, each smaller than 50 MB; a larger file is refused with 413), optional `choices` (JSON: account key → {target: \"new\" | \"skip\" | <account id>, currency?, name?}), `csv_map` (JSON: role → column) and `date_order` (dmy | mdy | ymd). With `?preview=1` nothing is written and the preview is returned (200).";

export const createImportRoute = defineRoute({
  method: "POST",
  path: "/imports",
  operationId: "createImport",
  summary: "Import statement files (or preview them)",
  description: importsDoc,
  tag: "Imports",
  scope: "write",
  query: z.object({ preview: z.enum(["1"]).optional() }),
  status: 201,
  raw: { contentTypes: ["application/json"], description: "The import (201), or its preview with `?preview=1` (200): per account counts, date range, sums, balances, new / already imported / rejected rows.", json: jsonObject },
  errors: [413],
  example: `curl -H "Authorization: Bearer $LL_TOKEN" -F file=@march.ofx "$LL_URL/api/v1/imports?preview=1"`,
  handler: async ({ db, userId, query, req }) => {
    const request = await readImportRequest(req, userId);
    if (query.preview === "1") return NextResponse.json(await previewImport(db, request), { headers: { "cache-control": "no-store" } });
    return NextResponse.json(await commitImport(db, request), { status: 201, headers: { "cache-control": "no-store" } });
  },
});

export const listImportsRoute = defineRoute({
  method: "GET",
  path: "/imports",
  operationId: "listImports",
  summary: "List statement imports",
  description: "Your imports, newest first.",
  tag: "Imports",
  scope: "read",
  raw: { contentTypes: ["application/json"], description: "`{ imports: [...] }`", json: jsonObject },
  example: `curl -H "Authorization: Bearer $LL_TOKEN" "$LL_URL/api/v1/imports"`,
  handler: async ({ db, userId }) => NextResponse.json({ imports: await listImports(db, { userId }) }, { headers: { "cache-control": "no-store" } }),
});

export const undoImportRoute = defineRoute({
  method: "DELETE",
  path: "/imports/{id}",
  operationId: "undoImport",
  summary: "Undo a statement import",
  description: "Removes exactly what that import added (rows, balance snapshots, accounts it created).",
  tag: "Imports",
  scope: "write",
  params: idParams,
  raw: { contentTypes: ["application/json"], description: "What was removed.", json: jsonObject },
  errors: [404],
  example: `curl -X DELETE -H "Authorization: Bearer $LL_TOKEN" "$LL_URL/api/v1/imports/<id>"`,
  handler: async ({ db, userId, params }) => {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(params.id)) throw new AppError("not_found", "No such import.");
    return NextResponse.json(await undoImport(db, { userId, importId: params.id }), { headers: { "cache-control": "no-store" } });
  },
});

// ------------------------------------------------------------------ net worth

const wealthQuery = z.object({ from: z.string().max(10).optional(), to: z.string().max(10).optional(), date: z.string().max(10).optional(), base: z.string().max(3).optional() });

export const netWorthRoute = defineRoute({
  method: "GET",
  path: "/net-worth",
  operationId: "getNetWorth",
  summary: "Net worth over time",
  description: "Daily net worth in the base currency (`base`, default your own) from `from` to `to`, with the total and its changes; amounts are decimal strings; converted at each day's ECB rate.",
  tag: "Net worth",
  scope: "read",
  query: wealthQuery,
  raw: { contentTypes: ["application/json"], description: "The series, total, changes, FX source and whether rates were carried forward.", json: jsonObject },
  example: `curl -H "Authorization: Bearer $LL_TOKEN" "$LL_URL/api/v1/net-worth?from=2026-01-01"`,
  handler: async ({ db, userId, req }) => NextResponse.json(await netWorthJson(db, userId, req.nextUrl.searchParams), { headers: { "cache-control": "no-store" } }),
});

export const netWorthDistributionRoute = defineRoute({
  method: "GET",
  path: "/net-worth/distribution",
  operationId: "getNetWorthDistribution",
  summary: "What you own and owe on a date",
  description: "Accounts and assets on `date` (default today) with the rate and date used, split by asset type, account, institution and currency.",
  tag: "Net worth",
  scope: "read",
  query: wealthQuery,
  raw: { contentTypes: ["application/json"], description: "The distribution.", json: jsonObject },
  example: `curl -H "Authorization: Bearer $LL_TOKEN" "$LL_URL/api/v1/net-worth/distribution"`,
  handler: async ({ db, userId, req }) => NextResponse.json(await distributionJson(db, userId, req.nextUrl.searchParams), { headers: { "cache-control": "no-store" } }),
});

export const netWorthChangesRoute = defineRoute({
  method: "GET",
  path: "/net-worth/changes",
  operationId: "getNetWorthChanges",
  summary: "Net worth change, in total and per account",
  description:
    "Net worth on `date` (default today) and its change over a day, a month, a year and since `since`, in money and percent — for the total and for every account and asset, converted at each day's ECB rate.",
  tag: "Net worth",
  scope: "read",
  query: S.netWorthChangesQuerySchema,
  response: S.netWorthChangesSchema,
  example: `curl -H "Authorization: Bearer $LL_TOKEN" "$LL_URL/api/v1/net-worth/changes?since=2026-01-01"`,
  handler: async ({ db, userId, req }) => changesJson(db, userId, req.nextUrl.searchParams),
});

export const netWorthMonthRoute = defineRoute({
  method: "GET",
  path: "/net-worth/month",
  operationId: "getNetWorthMonth",
  summary: "What changed this month",
  description:
    "Per account, the change from the last day of the previous month to `date` (default today) split into cash flow, revaluation and FX effect, in the base currency; the totals sum the accounts.",
  tag: "Net worth",
  scope: "read",
  query: S.netWorthMonthQuerySchema,
  response: S.netWorthMonthSchema,
  example: `curl -H "Authorization: Bearer $LL_TOKEN" "$LL_URL/api/v1/net-worth/month"`,
  handler: async ({ db, userId, req }) => monthChangesJson(db, userId, req.nextUrl.searchParams),
});

// ------------------------------------------------------------------ identity

export const accountIdentityRoute = defineRoute({
  method: "GET",
  path: "/accounts/{id}/identity",
  operationId: "getAccountIdentity",
  summary: "Owners of an account",
  description:
    "Names, emails, phone numbers and addresses of the account's owners, as the bank reported them — only for connections whose provider offers identity and whose consent included it (otherwise `available: false` and no owners). Stored encrypted; decrypted for this answer.",
  tag: "Accounts",
  scope: "read",
  params: idParams,
  response: S.identitySchema,
  errors: [404],
  example: `curl -H "Authorization: Bearer $LL_TOKEN" "$LL_URL/api/v1/accounts/<id>/identity"`,
  handler: async ({ db, userId, params }) => {
    const a = await ownedAccount(db, userId, params.id);
    const identity = await getAccountIdentity(db, { userId, id: a.id });
    return {
      account_id: a.id,
      available: identity !== null,
      owners: identity ? [{ names: identity.names ?? [], emails: identity.emails ?? [], phone_numbers: identity.phones ?? [], addresses: identity.addresses ?? [] }] : [],
    };
  },
});

// ------------------------------------------------------------------ webhooks

const apiWebhook = (s: SubscriptionRow) => ({
  id: s.id,
  url: s.url,
  events: s.events as WebhookEvent[],
  active: s.active,
  created_at: iso(s.createdAt)!,
  failing_since: iso(s.failingSince),
  disabled_at: iso(s.disabledAt),
  disabled_reason: s.disabledReason,
  previous_secret_valid_until: s.previousSecretExpiresAt && s.previousSecretExpiresAt > new Date() ? iso(s.previousSecretExpiresAt) : null,
});

const apiDelivery = (d: Awaited<ReturnType<typeof listDeliveries>>[number]) => ({
  id: d.id,
  event_id: d.eventId,
  event: d.event as WebhookEvent,
  status: d.status,
  attempts: d.attempts,
  response_status: d.responseStatus,
  duration_ms: d.durationMs,
  response_excerpt: d.responseExcerpt,
  last_error: d.lastError,
  next_attempt_at: d.status === "pending" ? iso(d.nextAttemptAt) : null,
  created_at: iso(d.createdAt)!,
  delivered_at: iso(d.deliveredAt),
});

const ownedWebhook = (db: Parameters<typeof getSubscription>[0], userId: string, rawId: string) => getSubscription(db, { userId, id: ownedId(rawId, "webhook") });

export const listWebhooksRoute = defineRoute({
  method: "GET",
  path: "/webhooks",
  operationId: "listWebhooks",
  summary: "List webhooks",
  description: "Your outbound webhook subscriptions, newest first (at most 10, so no pages). Secrets are never listed.",
  tag: "Webhooks",
  scope: "read",
  response: S.webhookListSchema,
  example: `curl -H "Authorization: Bearer $LL_TOKEN" "$LL_URL/api/v1/webhooks"`,
  handler: async ({ db, userId }) => ({ webhooks: (await listSubscriptions(db, { userId })).map(apiWebhook) }),
});

export const createWebhookRoute = defineRoute({
  method: "POST",
  path: "/webhooks",
  operationId: "createWebhook",
  summary: "Create a webhook",
  description:
    "The URL must be https and resolve to a public address (no loopback, private, link-local or metadata addresses) unless the server runs with `LEDGERLINK_WEBHOOK_ALLOW_PRIVATE=on`; a refused URL is a 400 with a `url` field error. The answer carries the signing secret — the only time it is shown.",
  tag: "Webhooks",
  scope: "write",
  body: S.webhookCreateSchema,
  status: 201,
  response: S.webhookCreatedSchema,
  example: `curl -X POST -H "Authorization: Bearer $LL_TOKEN" -H "content-type: application/json" -d '{"url":"https://example.com/hooks/ledgerlink","events":["transactions.added","sync.failed"]}' "$LL_URL/api/v1/webhooks"`,
  handler: async ({ db, userId, body }) => {
    const created = await createSubscription(db, { userId, url: body.url, events: body.events });
    return { ...apiWebhook(await getSubscription(db, { userId, id: created.id })), secret: created.secret };
  },
});

export const getWebhookRoute = defineRoute({
  method: "GET",
  path: "/webhooks/{id}",
  operationId: "getWebhook",
  summary: "Get a webhook",
  tag: "Webhooks",
  scope: "read",
  params: idParams,
  response: S.webhookSchema,
  errors: [404],
  handler: async ({ db, userId, params }) => apiWebhook(await ownedWebhook(db, userId, params.id)),
});

export const updateWebhookRoute = defineRoute({
  method: "PATCH",
  path: "/webhooks/{id}",
  operationId: "updateWebhook",
  summary: "Change a webhook's URL, events or active flag",
  description: "A new URL is checked like at creation. `active: true` also turns back on a webhook that was disabled after failing for 3 days.",
  tag: "Webhooks",
  scope: "write",
  params: idParams,
  body: S.webhookPatchSchema,
  response: S.webhookSchema,
  errors: [404],
  example: `curl -X PATCH -H "Authorization: Bearer $LL_TOKEN" -H "content-type: application/json" -d '{"active":false}' "$LL_URL/api/v1/webhooks/<id>"`,
  handler: async ({ db, userId, params, body }) => apiWebhook(await updateSubscription(db, { userId, id: ownedId(params.id, "webhook"), ...body })),
});

export const deleteWebhookRoute = defineRoute({
  method: "DELETE",
  path: "/webhooks/{id}",
  operationId: "deleteWebhook",
  summary: "Delete a webhook",
  description: "Its delivery log goes with it.",
  tag: "Webhooks",
  scope: "write",
  params: idParams,
  response: S.webhookDeletedSchema,
  errors: [404],
  example: `curl -X DELETE -H "Authorization: Bearer $LL_TOKEN" "$LL_URL/api/v1/webhooks/<id>"`,
  handler: async ({ db, userId, params }) => {
    const id = ownedId(params.id, "webhook");
    await deleteSubscription(db, { userId, id });
    return { id, deleted: true as const };
  },
});

export const rotateWebhookSecretRoute = defineRoute({
  method: "POST",
  path: "/webhooks/{id}/rotate-secret",
  operationId: "rotateWebhookSecret",
  summary: "Rotate a webhook's signing secret",
  description: "Answers the new secret (shown only here). For 24 hours both secrets sign (two `v1=` values), so receivers can switch without losing events.",
  tag: "Webhooks",
  scope: "write",
  params: idParams,
  response: S.webhookSecretSchema,
  errors: [404],
  example: `curl -X POST -H "Authorization: Bearer $LL_TOKEN" "$LL_URL/api/v1/webhooks/<id>/rotate-secret"`,
  handler: async ({ db, userId, params }) => {
    const id = ownedId(params.id, "webhook");
    const r = await rotateSecret(db, { userId, id });
    return { id, secret: r.secret, previous_secret_valid_until: iso(r.previousValidUntil)! };
  },
});

export const listWebhookDeliveriesRoute = defineRoute({
  method: "GET",
  path: "/webhooks/{id}/deliveries",
  operationId: "listWebhookDeliveries",
  summary: "A webhook's delivery log",
  description: "Each delivery with its status, attempts, HTTP status, duration, response excerpt and next retry, newest first.",
  tag: "Webhooks",
  scope: "read",
  params: idParams,
  query: S.pageQuerySchema,
  response: S.webhookDeliveryPageSchema,
  errors: [404],
  example: `curl -H "Authorization: Bearer $LL_TOKEN" "$LL_URL/api/v1/webhooks/<id>/deliveries?limit=20"`,
  handler: async ({ db, userId, params, query, url }) => {
    const sub = await ownedWebhook(db, userId, params.id);
    const rows = await listDeliveries(db, { userId, subscriptionId: sub.id, limit: query.limit + 1, after: decodeKey(query.cursor) });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    const cursor = rows.length > query.limit && last ? encodeKey({ k: last.sortKey, i: last.id }) : null;
    return { deliveries: page.map(apiDelivery), next_cursor: cursor, next: nextLink(url, cursor) };
  },
});

export const redeliverWebhookRoute = defineRoute({
  method: "POST",
  path: "/webhooks/{id}/deliveries/{delivery_id}/redeliver",
  operationId: "redeliverWebhook",
  summary: "Send a delivery's event again",
  description: "Queues a new delivery of the same event (same event id and body) as a job; answers it while it waits (202). Follow it in the delivery log.",
  tag: "Webhooks",
  scope: "write",
  params: z.object({ id: z.string(), delivery_id: z.string() }),
  status: 202,
  response: S.webhookDeliverySchema,
  errors: [404],
  example: `curl -X POST -H "Authorization: Bearer $LL_TOKEN" "$LL_URL/api/v1/webhooks/<id>/deliveries/<delivery_id>/redeliver"`,
  handler: async ({ db, userId, params }) => {
    const sub = await ownedWebhook(db, userId, params.id);
    const id = await redeliver(db, { userId, subscriptionId: sub.id, deliveryId: ownedId(params.delivery_id, "delivery"), jobs: currentJobs() });
    const [row] = (await listDeliveries(db, { userId, subscriptionId: sub.id, limit: 50 })).filter((d) => d.id === id);
    if (!row) throw notFound("delivery");
    return apiDelivery(row);
  },
});

export const API_ROUTES: AnyRouteDef[] = [
  listConnectionsRoute,
  getConnectionRoute,
  refreshConnectionRoute,
  listRunsRoute,
  disconnectConnectionRoute,
  listAccountsRoute,
  getAccountRoute,
  getBalancesRoute,
  balanceHistoryRoute,
  listTransactionsRoute,
  exportTransactionsRoute,
  getTransactionRoute,
  patchTransactionRoute,
  exportAliasRoute,
  listCategoriesRoute,
  createImportRoute,
  listImportsRoute,
  undoImportRoute,
  netWorthRoute,
  netWorthDistributionRoute,
  netWorthChangesRoute,
  netWorthMonthRoute,
  accountIdentityRoute,
  listWebhooksRoute,
  createWebhookRoute,
  getWebhookRoute,
  updateWebhookRoute,
  deleteWebhookRoute,
  rotateWebhookSecretRoute,
  listWebhookDeliveriesRoute,
  redeliverWebhookRoute,
];
