import { millisecondsInMinute } from "@/lib/dates";
import type { Clock } from "./retry";

/**
 * Requests per minute, paced by the engine (`capabilities.rateBudget.perMinute`): before
 * each provider call, if `perMinute` calls already started in the last 60 seconds, sleep
 * (through the engine's clock) until the oldest of them is a minute old. So no 60-second
 * span of a run holds more than `perMinute` calls. Without a limit it never waits.
 *
 * The count is per run: runs of one connection never overlap (the lease), and the
 * provider's own 429 + Retry-After is still honoured by the retry policy.
 */
export function pacer(perMinute: number | null | undefined, clock: Pick<Clock, "now" | "sleep">): () => Promise<void> {
  if (!perMinute || perMinute < 1) return async () => {};
  const limit = Math.floor(perMinute);
  /** Start times of the last `limit` calls, oldest first. */
  const starts: number[] = [];
  return async () => {
    if (starts.length === limit) {
      const wait = starts[0]! + millisecondsInMinute - clock.now();
      if (wait > 0) await clock.sleep(wait);
      starts.shift();
    }
    starts.push(clock.now());
  };
}
