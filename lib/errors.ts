import { ConnectorError } from "@/lib/connectors/errors";

/**
 * Stable error codes the UI and API can show. Anything that is not an AppError is
 * an internal failure: logged on the server, shown to the user as a generic message.
 */
export const APP_ERROR_CODES = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  invalid_input: 400,
  conflict: 409,
  rate_limited: 429,
  reauth_required: 409,
  invalid_credentials: 400,
  provider_unavailable: 503,
  /** The provider refused this server's own configuration (keys, environment): an administrator must act. */
  provider_misconfigured: 503,
  invalid_request: 400,
  already_syncing: 409,
  payload_too_large: 413,
  internal: 500,
} as const;

export type AppErrorCode = keyof typeof APP_ERROR_CODES;

export class AppError extends Error {
  override name = "AppError";
  constructor(
    readonly code: AppErrorCode,
    /** Safe to show to the user. */
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
  get status(): number {
    return APP_ERROR_CODES[this.code];
  }
}

export const GENERIC_ERROR_MESSAGE = "Something went wrong on our side. Please try again.";

/**
 * Errors at the provider boundary, mapped once: what a user (action) or API client (route)
 * is told for each ConnectorError code. Messages are the connector's own (safe by
 * contract, never secrets); the retry wording written for background syncs ("We'll retry
 * automatically") is replaced, because nothing retries a click or a request.
 */
export function connectorAppError(e: ConnectorError): AppError {
  const details = { providerCode: e.opts.providerCode };
  if (e.opts.misconfigured) return new AppError("provider_misconfigured", e.message, details);
  switch (e.code) {
    case "provider_unavailable":
      return new AppError("provider_unavailable", e.isDefaultMessage ? "The provider is unavailable right now. Nothing was changed; try again in a few minutes." : tryAgain(e.message, "in a few minutes"), details);
    case "rate_limited": {
      const retryAfter = Math.max(1, Math.ceil((e.retryAfterMs ?? 60_000) / 1000));
      const when = retryAfter <= 90 ? "in a minute" : retryAfter <= 3600 ? `in ${Math.ceil(retryAfter / 60)} minutes` : "later";
      return new AppError("rate_limited", e.isDefaultMessage ? `The provider is receiving too many requests. Try again ${when}.` : tryAgain(e.message, when), { ...details, retryAfter });
    }
    case "reauth_required":
      return new AppError("reauth_required", e.message, details);
    case "invalid_credentials":
      return new AppError("invalid_credentials", e.message, details);
    case "invalid_request":
      return new AppError("invalid_request", e.message, details);
    default: {
      const unreachable: never = e.code;
      return new AppError("internal", GENERIC_ERROR_MESSAGE, { code: String(unreachable) });
    }
  }
}

/** A background-sync message made interactive: "We'll retry later." → "Try again <when>." */
function tryAgain(message: string, when: string): string {
  const m = message.replace(/\s*We'll (retry|try again|continue)[^.]*\.\s*$/i, "").trim();
  return /try again/i.test(m) ? m : `${m} Try again ${when}.`;
}

/** The typed error behind `e`, if it is one the user may see (AppError, or a ConnectorError mapped above); null: an internal failure. */
export function toAppError(e: unknown): AppError | null {
  if (e instanceof AppError) return e;
  if (e instanceof ConnectorError) return connectorAppError(e);
  return null;
}
