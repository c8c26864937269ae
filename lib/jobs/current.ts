import type { JobQueue } from "./queue";

/**
 * The process-wide queue if this process has started one (web, worker or both), without
 * starting it. Shared through globalThis: Next.js loads route handlers and the start-up
 * hook as separate bundles, which must see the same queue.
 */
const g = globalThis as unknown as { __ledgerlinkJobs?: Promise<JobQueue> };

export function currentJobs(): Promise<JobQueue> | undefined {
  return g.__ledgerlinkJobs;
}
