import "server-only";
import { NextResponse, type NextRequest } from "next/server";
import { and, eq, lt, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db";
import type { Db } from "@/db/client";
import { apiRateLimits } from "@/db/schema";
import { authenticateApiToken, type TokenScope } from "@/lib/api-tokens/tokens";
import { clientIp } from "@/lib/auth/request-meta";
import { AppError, GENERIC_ERROR_MESSAGE, toAppError } from "@/lib/errors";
import { auditForeignIds, idsIn } from "@/lib/audit/denied";
import { log } from "@/lib/log";

/**
 * One wrapper for every /api/v1 route: authentication (bearer token, or the browser
 * session), scope, per-token rate limit, zod parsing of path/query/body, the response
 * parsed through its declared schema (unknown fields never leak), and errors in the one
 * documented shape `{ error: { code, message, field_errors? } }`. The same definition
 * feeds the OpenAPI document, so the document cannot drift from the handlers.
 */

export type Method = "GET" | "POST" | "PATCH" | "DELETE";

export type Ctx<P, Q, B> = { db: Db; userId: string; params: P; query: Q; body: B; url: URL; req: NextRequest };

export type RouteDef<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType> = {
  method: Method;
  /** OpenAPI path under /api/v1, e.g. `/accounts/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  scope: TokenScope;
  params?: P;
  query?: Q;
  body?: B;
  status?: 200 | 201 | 202;
  /** JSON response schema; omitted for non-JSON bodies (`raw`). */
  response?: R;
  raw?: { contentTypes: string[]; description: string; json?: z.ZodType };
  /** Statuses besides 400/401/403/429 the route can answer. */
  errors?: number[];
  example?: string;
  handler: (ctx: Ctx<z.output<P>, z.output<Q>, z.output<B>>) => Promise<R extends z.ZodType ? z.input<R> | Response : Response>;
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRouteDef = RouteDef<any, any, any, any>;

export const defineRoute = <P extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined, B extends z.ZodType = z.ZodUndefined, R extends z.ZodType = z.ZodUndefined>(
  def: RouteDef<P, Q, B, R>,
) => def;

// ------------------------------------------------------------------ errors

export type ApiError = { error: { code: string; message: string; field_errors?: Record<string, string[]> } };

function fieldErrorsOf(e: z.ZodError, prefix?: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const i of e.issues) {
    const key = i.path.length ? i.path.join(".") : (prefix ?? "_");
    (out[key] ??= []).push(i.message);
  }
  return out;
}

export function apiError(status: number, code: string, message: string, fieldErrors?: Record<string, string[]>): NextResponse<ApiError> {
  return NextResponse.json({ error: { code, message, ...(fieldErrors ? { field_errors: fieldErrors } : {}) } }, { status, headers: { "cache-control": "no-store" } });
}

export function toErrorResponse(e: unknown): NextResponse<ApiError> {
  if (e instanceof z.ZodError) return apiError(400, "invalid_input", "Some parameters are invalid.", fieldErrorsOf(e));
  const known = toAppError(e); // AppError, or a ConnectorError mapped to its message and status
  if (known) {
    const fe = known.details?.fieldErrors as Record<string, string[]> | undefined;
    const res = apiError(known.status, known.code, known.message, fe);
    if (known.code === "rate_limited" && known.details?.retryAfter) res.headers.set("retry-after", String(known.details.retryAfter));
    return res;
  }
  log.error("api route failed", { error: e });
  return apiError(500, "internal", GENERIC_ERROR_MESSAGE);
}

export const notFound = (what: string) => new AppError("not_found", `That ${what} does not exist.`);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** An id from the path: anything that is not one of this user's ids is a 404, malformed ones included. */
export function ownedId(raw: string, what: string): string {
  if (!UUID.test(raw)) throw notFound(what);
  return raw;
}

// ------------------------------------------------------------------ rate limits

export const rateLimitPolicy = { limit: 120, windowSeconds: 60 };
/** The clock the limiter reads (tests move it). */
export const apiClock = { now: () => Date.now() };

type RateState = { limit: number; remaining: number; reset: number; over: boolean };

async function takeToken(db: Db, key: string): Promise<RateState> {
  const now = apiClock.now();
  const windowMs = rateLimitPolicy.windowSeconds * 1000;
  const start = Math.floor(now / windowMs) * windowMs;
  const [row] = await db
    .insert(apiRateLimits)
    .values({ key, windowStart: new Date(start), count: 1 })
    .onConflictDoUpdate({ target: [apiRateLimits.key, apiRateLimits.windowStart], set: { count: sql`${apiRateLimits.count} + 1` } })
    .returning({ count: apiRateLimits.count });
  const count = row!.count;
  // A key's first request in a window sweeps its older windows (one row per key stays).
  if (count === 1) await db.delete(apiRateLimits).where(and(eq(apiRateLimits.key, key), lt(apiRateLimits.windowStart, new Date(start))));
  return { over: count > rateLimitPolicy.limit, limit: rateLimitPolicy.limit, remaining: Math.max(0, rateLimitPolicy.limit - count), reset: Math.max(1, Math.ceil((start + windowMs - now) / 1000)) };
}

function setRateHeaders(res: Response, s: RateState) {
  res.headers.set("ratelimit-limit", String(s.limit));
  res.headers.set("ratelimit-remaining", String(s.remaining));
  res.headers.set("ratelimit-reset", String(s.reset));
  res.headers.set("ratelimit-policy", `${s.limit};w=${rateLimitPolicy.windowSeconds}`);
}

// ------------------------------------------------------------------ auth

/** The browser session's user (swappable in tests, which have no request cookies). */
export const sessionLookup = {
  current: async (): Promise<{ id: string } | null> => (await import("@/lib/auth/current-user")).currentUser(),
};

type Principal = { userId: string; scope: TokenScope; key: string; via: "token" | "session" };

async function authenticate(db: Db, req: NextRequest): Promise<Principal> {
  const header = req.headers.get("authorization");
  if (header !== null) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const t = m ? await authenticateApiToken(db, m[1]!, new Date(), { ip: clientIp(req.headers) }) : null;
    if (!t) throw new AppError("unauthorized", "The API token is missing, invalid, expired or revoked.");
    return { userId: t.userId, scope: t.scope, key: `token:${t.tokenId}`, via: "token" };
  }
  const user = await sessionLookup.current();
  if (!user) throw new AppError("unauthorized", "Send a personal API token as `Authorization: Bearer <token>`.");
  return { userId: user.id, scope: "write", key: `user:${user.id}`, via: "session" };
}

/** A browser session may only change data from this app's own pages (no cross-site writes). */
function sameOrigin(req: NextRequest): boolean {
  const site = req.headers.get("sec-fetch-site");
  if (site) return site === "same-origin";
  const origin = req.headers.get("origin");
  return origin !== null && origin === req.nextUrl.origin;
}

export function searchParamsToRecord(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of params.entries()) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

type NextCtx = { params: Promise<Record<string, string>> };

/** The Next.js route handler for one definition. */
export function handle(def: AnyRouteDef) {
  return async (req: NextRequest, ctx: NextCtx): Promise<Response> => {
    let rate: RateState | null = null;
    let res: Response;
    let userId: string | null = null;
    try {
      const db = await getDb();
      const who = await authenticate(db, req);
      userId = who.userId;
      rate = await takeToken(db, who.key);
      res = await run(def, req, ctx, db, who, rate);
    } catch (e) {
      res = toErrorResponse(e);
      // Another user's id answers like one that does not exist, and lands in the caller's audit trail.
      if (userId && e instanceof AppError && e.code === "not_found") {
        await auditForeignIds(await getDb(), { userId, ids: idsIn(await ctx.params, searchParamsToRecord(req.nextUrl.searchParams)) });
      }
      if (res.status === 401) res.headers.set("www-authenticate", 'Bearer realm="ledgerlink"');
    }
    if (rate) setRateHeaders(res, rate);
    return res;
  };
}

async function run(def: AnyRouteDef, req: NextRequest, ctx: NextCtx, db: Db, who: Principal, rate: RateState): Promise<Response> {
  if (rate.over) {
    throw new AppError("rate_limited", `Too many requests: at most ${rate.limit} per ${rateLimitPolicy.windowSeconds} seconds per token. Try again in ${rate.reset} s.`, { retryAfter: rate.reset });
  }
  if (def.scope === "write") {
    if (who.scope !== "write") throw new AppError("forbidden", "This token is read-only. Create a read-write token in Settings → API to change data.");
    if (who.via === "session" && !sameOrigin(req)) throw new AppError("forbidden", "Changing data with a browser session is only allowed from this app. Use an API token.");
  }
  const params = def.params ? parseOr400(def.params, await ctx.params) : undefined;
  const query = def.query ? parseOr400(def.query, searchParamsToRecord(req.nextUrl.searchParams)) : undefined;
  let body: unknown;
  if (def.body) {
    let json: unknown;
    try {
      const text = await req.text();
      json = text.trim() === "" ? {} : JSON.parse(text);
    } catch {
      throw new AppError("invalid_input", "The request body is not valid JSON.");
    }
    body = parseOr400(def.body, json);
  }
  const url = new URL(req.nextUrl.pathname + req.nextUrl.search, "http://x");
  const out = await def.handler({ db, userId: who.userId, params, query, body, url, req });
  if (out instanceof Response) return out;
  const data = def.response ? def.response.parse(out) : out;
  return NextResponse.json(data, { status: def.status ?? 200, headers: { "cache-control": "no-store" } });
}

function parseOr400<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const r = schema.safeParse(input);
  if (!r.success) throw new AppError("invalid_input", "Some parameters are invalid.", { fieldErrors: fieldErrorsOf(r.error) });
  return r.data;
}
