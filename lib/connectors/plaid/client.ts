import { Configuration, PlaidApi, PlaidEnvironments } from "plaid";
import { ConnectorError, RestartPagination } from "../errors";

/**
 * The official Plaid SDK, pointed at Plaid (sandbox/production with real keys) or at the
 * local emulator (basePath override). Every call goes through `plaidCall`, which turns
 * Plaid's error object into the connector vocabulary — and never lets axios's error
 * (whose config carries the secret) escape.
 */
export type PlaidSettings = { clientId: string; secret: string; basePath: string; environment: "sandbox" | "production" | "emulator" };

export function plaidBasePath(env: "sandbox" | "production"): string {
  return PlaidEnvironments[env]!;
}

export function createPlaidApi(s: PlaidSettings): PlaidApi {
  return new PlaidApi(
    new Configuration({
      basePath: s.basePath,
      baseOptions: { headers: { "PLAID-CLIENT-ID": s.clientId, "PLAID-SECRET": s.secret }, timeout: 30_000 },
    }),
  );
}

type PlaidErrorBody = { error_type?: string; error_code?: string; error_message?: string; display_message?: string | null };

const REAUTH = new Set(["ITEM_LOGIN_REQUIRED", "INVALID_ACCESS_TOKEN", "ITEM_NOT_FOUND", "ACCESS_NOT_GRANTED", "USER_PERMISSION_REVOKED", "ITEM_LOCKED", "PENDING_EXPIRATION", "NO_ACCOUNTS"]);
const BAD_CREDENTIALS = new Set(["INVALID_CREDENTIALS", "INVALID_MFA", "INVALID_PUBLIC_TOKEN", "INVALID_LINK_TOKEN"]);
/** Plaid refusing this server's own setup (keys, environment, products): an administrator's problem, not the user's, and not an outage. */
const MISCONFIGURED = new Set(["INVALID_API_KEYS", "UNAUTHORIZED_ENVIRONMENT", "UNAUTHORIZED_ROUTE_ACCESS", "INVALID_PRODUCT"]);

export function mapPlaidError(e: unknown): Error {
  const res = (e as { response?: { status?: number; data?: PlaidErrorBody } }).response;
  if (!res) return new ConnectorError("provider_unavailable", "Could not reach Plaid.");
  const body = res.data ?? {};
  const code = body.error_code ?? "UNKNOWN";
  const opts = { providerCode: code, status: res.status };
  if (code === "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION") return new RestartPagination(code);
  if (REAUTH.has(code)) return new ConnectorError("reauth_required", body.display_message ?? undefined, opts);
  if (BAD_CREDENTIALS.has(code)) return new ConnectorError("invalid_credentials", body.display_message ?? undefined, opts);
  if (MISCONFIGURED.has(code))
    return new ConnectorError("invalid_request", `Plaid refused this server's configuration (${code}). An administrator needs to check the Plaid keys and environment.`, { ...opts, misconfigured: true });
  // Plaid's limits are per minute and it sends no Retry-After: wait a minute.
  if (body.error_type === "RATE_LIMIT_EXCEEDED" || res.status === 429) return new ConnectorError("rate_limited", undefined, { ...opts, retryAfterMs: 60_000 });
  // The Item's first pull is not finished: a passing state, asked again after a short wait.
  if (code === "PRODUCT_NOT_READY")
    return new ConnectorError("provider_unavailable", "Plaid is still preparing this bank's transactions (this takes a minute or two after linking). The sync waits and tries again.", { ...opts, retryAfterMs: 10_000 });
  if ((res.status ?? 500) >= 500 || body.error_type === "API_ERROR" || body.error_type === "INSTITUTION_ERROR")
    return new ConnectorError("provider_unavailable", undefined, opts);
  return new ConnectorError("invalid_request", `Plaid rejected the request (${code}).`, opts);
}

export async function plaidCall<T>(fn: () => Promise<{ data: T }>): Promise<T> {
  try {
    return (await fn()).data;
  } catch (e) {
    throw mapPlaidError(e);
  }
}
