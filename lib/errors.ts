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
  provider_unavailable: 502,
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
