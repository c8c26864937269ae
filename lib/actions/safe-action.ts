import "server-only";
import { unstable_rethrow } from "next/navigation";
import { z } from "zod";
import { currentUser } from "@/lib/auth/current-user";
import type { SessionUser } from "@/lib/auth/accounts";
import { getDb } from "@/db";
import type { Db } from "@/db/client";
import { GENERIC_ERROR_MESSAGE, toAppError, type AppErrorCode } from "@/lib/errors";
import { ConnectorError } from "@/lib/connectors/errors";
import { log } from "@/lib/log";
import { auditForeignIds, idsIn } from "@/lib/audit/denied";

/** What every server action returns; forms render it with useActionState. */
export type ActionResult<T = null> =
  | { status: "idle" }
  | { status: "success"; data: T; message?: string }
  | { status: "invalid"; fieldErrors: Record<string, string[]>; formError?: string; values?: Record<string, string> }
  | { status: "error"; code: AppErrorCode; message: string };

export const idle = { status: "idle" } as const;

/** Results a handler built on purpose (below); any other value a handler returns is its data. */
const explicitResults = new WeakSet<object>();

/**
 * An explicit action result: a handler returns `actionResult({ status: "invalid", … })` (or
 * `success`, `failure`) to answer with that status itself. Anything else it returns —
 * including a domain object that happens to have a `status` field — is the `data` of a
 * success; nothing is guessed from an object's keys.
 */
export function actionResult<R extends { status: "success" | "invalid" | "error" }>(r: R & Exclude<ActionResult<unknown>, { status: "idle" }>): R {
  explicitResults.add(r);
  return r;
}
export const success = <T>(data: T, message?: string) => actionResult({ status: "success" as const, data, ...(message !== undefined ? { message } : {}) });
export const failure = (code: AppErrorCode, message: string) => actionResult({ status: "error" as const, code, message });

/** FormData → plain object (repeated keys become arrays; File entries are kept). */
export function formDataToObject(fd: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of new Set(fd.keys())) {
    if (key.startsWith("$ACTION")) continue;
    const all = fd.getAll(key);
    out[key] = all.length > 1 ? all : all[0];
  }
  return out;
}

export function invalidFrom(error: z.ZodError, values?: Record<string, string>): ActionResult<never> {
  const fieldErrors: Record<string, string[]> = {};
  let formError: string | undefined;
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".");
    if (!key) formError = issue.message;
    else (fieldErrors[key] ??= []).push(issue.message);
  }
  return { status: "invalid", fieldErrors, formError, values };
}

/** Non-secret fields to refill a form with after a failed submit (never passwords). */
function safeValues(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw && typeof raw === "object") {
    for (const [k, v] of Object.entries(raw)) if (typeof v === "string" && !/password|secret|token/i.test(k)) out[k] = v;
  }
  return out;
}

type Ctx = { user: SessionUser; db: Db };

/** The signed-in user (swappable in tests, which have no request cookies; as `sessionLookup` in lib/api/v1/define.ts). */
export const actionSession = { current: (): Promise<SessionUser | null> => currentUser() };

/** What an action's handler returned, as the `data` of a success result. */
export type DataOf<R> = R extends { status: "success"; data: infer D }
  ? D
  : R extends { status: "invalid" | "error" | "idle" }
    ? never
    : R;

export type Action<S extends z.ZodType, R> = (
  prev: ActionResult<DataOf<R>> | undefined,
  payload: FormData | z.input<S>,
) => Promise<ActionResult<DataOf<R>>>;

function wrap<S extends z.ZodType, R>(
  schema: S,
  needsUser: boolean,
  fn: (input: z.output<S>, ctx: Ctx) => Promise<R>,
): Action<S, R> {
  return async (_prev, payload) => {
    const raw = payload instanceof FormData ? formDataToObject(payload) : payload;
    let user: SessionUser | null = null;
    try {
      user = await actionSession.current();
      if (needsUser && !user) return { status: "error", code: "unauthorized", message: "Your session has ended. Please sign in again." };
      const parsed = schema.safeParse(raw);
      if (!parsed.success) return invalidFrom(parsed.error, safeValues(raw));
      const db = await getDb();
      const out = await fn(parsed.data, { user: user as SessionUser, db });
      if (out !== null && typeof out === "object" && explicitResults.has(out)) return out as unknown as ActionResult<DataOf<R>>;
      return { status: "success", data: out as DataOf<R> };
    } catch (e) {
      unstable_rethrow(e); // redirect() / notFound() must propagate
      const known = toAppError(e);
      if (known) {
        // Another user's id answers like one that does not exist, and lands in the caller's audit trail.
        if (known.code === "not_found" && user) await auditForeignIds(await getDb(), { userId: user.id, ids: idsIn(raw) });
        if (e instanceof ConnectorError) log.warn("server action: provider error", { code: e.code, providerCode: e.opts.providerCode, status: e.opts.status });
        return { status: "error", code: known.code, message: known.message };
      }
      log.error("server action failed", { error: e });
      return { status: "error", code: "internal", message: GENERIC_ERROR_MESSAGE };
    }
  };
}

/**
 * Every authenticated server action goes through this: session check, zod parse of
 * the input (FormData or object), typed errors to a status union.
 */
export function authedAction<S extends z.ZodType, R>(schema: S, fn: (input: z.output<S>, ctx: Ctx) => Promise<R>): Action<S, R> {
  return wrap(schema, true, fn);
}

/** Same shape for the few public actions (sign-up, sign-in). */
export function publicAction<S extends z.ZodType, R>(schema: S, fn: (input: z.output<S>, ctx: { db: Db }) => Promise<R>): Action<S, R> {
  return wrap(schema, false, fn);
}
