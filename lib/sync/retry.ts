import { ConnectorError } from "@/lib/connectors/errors";

export type Clock = {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
};

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  random: Math.random,
};

export type RetryPolicy = {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
};

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 20_000 };

/**
 * Retry provider calls that failed for a passing reason (rate_limited,
 * provider_unavailable) with exponential backoff and full jitter, honouring the
 * provider's Retry-After. Never retries reauth_required / invalid_* errors, and gives
 * up (rethrows) when the provider asks for a wait longer than `maxDelayMs`.
 */
export async function withRetry<T>(
  fn: () => Promise<T>,
  clock: Clock,
  policy: RetryPolicy = DEFAULT_RETRY,
  onRetry?: (e: ConnectorError, delayMs: number, attempt: number) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof ConnectorError) || !e.retryable || attempt >= policy.maxAttempts) throw e;
      const backoff = clock.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const asked = e.retryAfterMs ?? 0;
      if (asked > policy.maxDelayMs) throw e;
      const delay = Math.max(backoff, asked);
      onRetry?.(e, delay, attempt);
      await clock.sleep(delay);
    }
  }
}
