import "server-only";
import { NextResponse, type NextRequest } from "next/server";
import { z } from "zod";
import { getDb } from "@/db";
import type { Db } from "@/db/client";
import type { SessionUser } from "@/lib/auth/accounts";
import { currentUser } from "@/lib/auth/current-user";
import { authenticateApiToken } from "@/lib/api-tokens/tokens";
import { parseFilters, type TransactionFilters } from "@/lib/transactions/filters";
import { AppError, GENERIC_ERROR_MESSAGE, toAppError } from "@/lib/errors";
import { clientIp } from "@/lib/auth/request-meta";
import { log } from "@/lib/log";

export type ApiErrorBody = { error: { code: string; message: string; fieldErrors?: Record<string, string[]> } };

export function errorResponse(e: unknown): NextResponse<ApiErrorBody> {
  if (e instanceof z.ZodError) {
    const fieldErrors: Record<string, string[]> = {};
    for (const i of e.issues) (fieldErrors[i.path.join(".") || "_"] ??= []).push(i.message);
    return NextResponse.json({ error: { code: "invalid_input", message: "Some parameters are invalid.", fieldErrors } }, { status: 400 });
  }
  const known = toAppError(e); // AppError, or a ConnectorError mapped to its message and status
  if (known) {
    const fieldErrors = known.details?.fieldErrors as Record<string, string[]> | undefined;
    const res = NextResponse.json({ error: { code: known.code, message: known.message, ...(fieldErrors ? { fieldErrors } : {}) } }, { status: known.status });
    if (known.code === "rate_limited" && known.details?.retryAfter) res.headers.set("retry-after", String(known.details.retryAfter));
    return res;
  }
  log.error("route handler failed", { error: e });
  return NextResponse.json({ error: { code: "internal", message: GENERIC_ERROR_MESSAGE } }, { status: 500 });
}

type Handler<P> = (req: NextRequest, ctx: { user: SessionUser; db: Db; params: P }) => Promise<Response>;

/** Route handler for the signed-in browser session: auth + errors to JSON in one place. */
export function withUser<P = Record<string, string>>(handler: Handler<P>) {
  return async (req: NextRequest, ctx: { params: Promise<P> }): Promise<Response> => {
    try {
      const user = await currentUser();
      if (!user) throw new AppError("unauthorized", "Sign in to use this endpoint.");
      return await handler(req, { user, db: await getDb(), params: await ctx.params });
    } catch (e) {
      return errorResponse(e);
    }
  };
}

type ApiHandler<P> = (req: NextRequest, ctx: { userId: string; db: Db; params: P }) => Promise<Response>;

/**
 * @deprecated Public API routes are defined in lib/api/v1/routes.ts and served with
 * `handle(def)` (scopes, rate limits, snake_case errors, OpenAPI). Kept for branches
 * that still import it; a route using it is missing from /api/v1/openapi.json and
 * fails the API's OpenAPI test.
 *
 * Route handler for the public API: `Authorization: Bearer <personal token>` (tools,
 * spreadsheets), or the browser session when no Authorization header is sent. A bad
 * token is a 401 — it never falls back to the cookie.
 */
export function withApiAuth<P = Record<string, string>>(handler: ApiHandler<P>) {
  return async (req: NextRequest, ctx: { params: Promise<P> }): Promise<Response> => {
    try {
      const db = await getDb();
      const header = req.headers.get("authorization");
      let userId: string | null = null;
      if (header !== null) {
        const m = /^Bearer\s+(\S+)$/i.exec(header);
        userId = m ? ((await authenticateApiToken(db, m[1]!, new Date(), { ip: clientIp(req.headers) }))?.userId ?? null) : null;
        if (!userId) {
          const res = errorResponse(new AppError("unauthorized", "The API token is missing, invalid or revoked."));
          res.headers.set("www-authenticate", 'Bearer realm="ledgerlink"');
          return res;
        }
      } else {
        userId = (await currentUser())?.id ?? null;
        if (!userId) return errorResponse(new AppError("unauthorized", "Send a personal API token as `Authorization: Bearer <token>`."));
      }
      return await handler(req, { userId, db, params: await ctx.params });
    } catch (e) {
      return errorResponse(e);
    }
  };
}

/** The one filter schema applied to a query string; invalid values are a 400 with field errors. */
export function filtersFromQuery(params: URLSearchParams): TransactionFilters {
  const parsed = parseFilters(params);
  if (!parsed.ok) throw new AppError("invalid_input", "Some filters are invalid.", { fieldErrors: parsed.fieldErrors });
  return parsed.filters;
}
