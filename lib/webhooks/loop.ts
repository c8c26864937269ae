import type { Db } from "@/db/client";
import { log } from "@/lib/log";
import { deliverDue } from "./deliver";
import { onDeliveriesQueued } from "./events";

/**
 * The in-process fallback trigger until deliveries run as jobs: every `intervalMs`, and
 * right after an event is queued, send what is due. Runs never overlap; a trigger during
 * a run schedules exactly one more.
 */
const g = globalThis as unknown as { __llWebhookLoop?: { stop: () => Promise<void> } };

export function startWebhookLoop(getDb: () => Promise<Db>, intervalMs = 15_000): { stop: () => Promise<void> } {
  if (g.__llWebhookLoop) return g.__llWebhookLoop;
  let running = false;
  let again = false;
  let current: Promise<void> = Promise.resolve();
  const tick = () => {
    if (running) {
      again = true;
      return current;
    }
    running = true;
    current = run();
    return current;
  };
  const run = async () => {
    try {
      do {
        again = false;
        await deliverDue(await getDb(), new Date());
      } while (again);
    } catch (e) {
      log.error("webhook delivery loop failed", { error: e });
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref?.();
  const off = onDeliveriesQueued(() => setTimeout(() => void tick(), 0));
  g.__llWebhookLoop = {
    /** Stop triggering and wait for a run under way to finish. */
    stop: async () => {
      clearInterval(timer);
      off();
      g.__llWebhookLoop = undefined;
      await current;
    },
  };
  return g.__llWebhookLoop;
}
