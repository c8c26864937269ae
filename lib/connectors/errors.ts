import type { TransactionPage } from "./contract";

/**
 * The one small vocabulary every provider error maps to. The engine decides what to do
 * from the code alone: retry (rate_limited, provider_unavailable), flip the connection
 * to reauth_required (never retried), or fail the run.
 */
export const CONNECTOR_ERROR_CODES = [
  "reauth_required",
  "rate_limited",
  "provider_unavailable",
  "invalid_credentials",
  "invalid_request",
] as const;
export type ConnectorErrorCode = (typeof CONNECTOR_ERROR_CODES)[number];
export const isConnectorErrorCode = (c: string): c is ConnectorErrorCode => (CONNECTOR_ERROR_CODES as readonly string[]).includes(c);

const USER_MESSAGES: Record<ConnectorErrorCode, string> = {
  reauth_required: "The bank needs you to sign in again. Use Reconnect to restore access.",
  rate_limited: "The provider asked us to slow down. We'll try again later.",
  provider_unavailable: "The provider is not responding right now. We'll retry automatically.",
  invalid_credentials: "Those credentials were not accepted by the provider.",
  invalid_request: "The provider rejected the request.",
};

export class ConnectorError extends Error {
  override name = "ConnectorError";
  constructor(
    readonly code: ConnectorErrorCode,
    /** Safe for users: never includes secrets or raw provider bodies. */
    message: string = USER_MESSAGES[code],
    /** retryAfterMs: how long the provider asked us to wait (relative, so any clock can use it). */
    readonly opts: {
      retryAfterMs?: number;
      providerCode?: string;
      status?: number;
      /** The provider refused this server's own configuration (API keys, environment, products): not the user's doing. */
      misconfigured?: boolean;
      /** The error came from signing in (the whole login), not from reading one account: never skipped per account. */
      loginWide?: boolean;
    } = {},
  ) {
    super(message);
  }
  /** The code's generic message (the connector gave no more specific one). */
  get isDefaultMessage(): boolean {
    return this.message === USER_MESSAGES[this.code];
  }
  get retryAfterMs(): number | undefined {
    return this.opts.retryAfterMs;
  }
  get retryable(): boolean {
    return this.code === "rate_limited" || this.code === "provider_unavailable";
  }
}

/**
 * One account could not be read (an outage, a per-account limit): thrown by a source with
 * the code of the underlying error, so the engine retries it like any provider error; when
 * the retries are spent the engine records a warning for that account and commits `skip`
 * instead — the page that moves the source on to the next account (its cursor must not
 * mark the failed account as read). Never for login-wide problems (reauth, credentials).
 */
export class AccountReadFailed extends ConnectorError {
  override name = "AccountReadFailed";
  constructor(
    readonly providerAccountId: string,
    cause: ConnectorError,
    readonly skip: TransactionPage,
  ) {
    super(cause.code, cause.message, cause.opts);
  }
}

/**
 * Errors of one account that the run can skip. Not a login-wide problem (sign in again,
 * wrong credentials) and not a rate limit: the next account would only spend another call
 * against the same limit, so the run stops and retries when the provider says it may.
 */
export const isAccountScoped = (e: unknown): e is ConnectorError =>
  e instanceof ConnectorError && e.code !== "reauth_required" && e.code !== "invalid_credentials" && e.code !== "rate_limited" && !e.opts.loginWide;

/**
 * Thrown by a cursor connector when the provider says the data changed between pages
 * (Plaid's TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION): the engine restarts the
 * update from its first cursor. Safe because applying a page is idempotent.
 */
export class RestartPagination extends Error {
  override name = "RestartPagination";
}

/** Parse an HTTP Retry-After header (seconds or an HTTP date) into a wait in ms. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The usual checkAuth: make a cheap authenticated call; a reauth/credentials error means
 * the login needs the user, anything else (an outage) is not an answer and is rethrown.
 */
export async function probeAuth(
  call: () => Promise<unknown>,
): Promise<{ ok: true } | { ok: false; code: "reauth_required" | "invalid_credentials" }> {
  try {
    await call();
    return { ok: true };
  } catch (e) {
    if (e instanceof ConnectorError && (e.code === "reauth_required" || e.code === "invalid_credentials")) return { ok: false, code: e.code };
    throw e;
  }
}
