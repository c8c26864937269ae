import { log } from "@/lib/log";
import { currentJobs } from "./current";
import type { JobQueue } from "./queue";

/**
 * Queue `webhook.deliver` jobs: one per delivery (singleton key = delivery id, so at most
 * one waits per delivery), starting at the delivery's next attempt. No webhook code here,
 * so lib/webhooks can call it without an import cycle.
 */
export type DeliveryJobData = { deliveryId: string };

export async function enqueueDeliveries(jobs: JobQueue, list: { id: string; at: Date | null }[]): Promise<void> {
  for (let i = 0; i < list.length; i += 1000)
    await jobs.sendMany(
      "webhook.deliver",
      list.slice(i, i + 1000).map((d) => ({ data: { deliveryId: d.id } satisfies DeliveryJobData, singletonKey: d.id, startAfter: d.at ?? undefined })),
    );
}

/**
 * Queue deliveries on the given queue, or on this process's queue. Never throws: a
 * delivery whose job could not be queued is picked up by the `webhook.sweep` job.
 */
export async function enqueueDeliveriesSafely(jobs: JobQueue | Promise<JobQueue> | null | undefined, list: { id: string; at: Date | null }[]): Promise<boolean> {
  if (!list.length) return true;
  try {
    const q = await (jobs ?? currentJobs());
    if (!q) return false;
    await enqueueDeliveries(q, list);
    return true;
  } catch (e) {
    log.warn("could not queue webhook deliveries; the sweep will", { error: e });
    return false;
  }
}
