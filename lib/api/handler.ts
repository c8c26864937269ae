import "server-only";
import { NextResponse, type NextRequest } from "next/server";
import { z } from "zod";
import { getDb } from "@/db";
import type { Db } from "@/db/client";
import type { SessionUser } from "@/lib/auth/accounts";
import { currentUser } from "@/lib/auth/current-user";
import { AppError, GENERIC_ERROR_MESSAGE } from "@/lib/errors";
import { log } from "@/lib/log";

export type ApiErrorBody = { error: { code: string; message: string; fieldErrors?: Record<string, string[]> } };

export function errorResponse(e: unknown): NextResponse<ApiErrorBody> {
  if (e instanceof z.ZodError) {
    const fieldErrors: Record<string, string[]> = {};
    for (const i of e.issues) (fieldErrors[i.path.join(".") || "_"] ??= []).push(i.message);
    return NextResponse.json({ error: { code: "invalid_input", message: "Some parameters are invalid.", fieldErrors } }, { status: 400 });
  }
  if (e instanceof AppError) return NextResponse.json({ error: { code: e.code, message: e.message } }, { status: e.status });
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
