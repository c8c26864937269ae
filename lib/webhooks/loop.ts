import type { Db } from "@/db/client";
import { log } from "@/lib/log";
import { deliverDue } from "./deliver";
import { onDeliveriesQueued } from "./events";

/**
 * The in-process fallback trigger until deliveries run as jobs: every `intervalMs`, and
 * right after an event is queued, send what is due. Runs never overlap; a trigger during
 * a run schedules exactly one more.
 */
const g = globalThis as unknown as { __llWebhookLoop?: { stop: () => void } };

export function startWebhookLoop(getDb: () => Promise<Db>, intervalMs = 15_000): { stop: () => void } {
  if (g.__llWebhookLoop) return g.__llWebhookLoop;
  let running = false;
  let again = false;
  const tick = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
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
    stop: () => {
      clearInterval(timer);
      off();
      g.__llWebhookLoop = undefined;
    },
  };
  return g.__llWebhookLoop;
}
