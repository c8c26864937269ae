import type { syncRuns } from "@/db/schema";
import { runSummary } from "@/lib/connections/summary";
import { formatDateTime } from "@/lib/format";
import { Badge } from "@/components/ui/badge";

type Run = typeof syncRuns.$inferSelect;

/** Why a run started: linking (first import), a person (Refresh now, reconnect, API), the schedule, or the provider's webhook. */
export const TRIGGER: Record<Run["trigger"], string> = { initial: "First import", manual: "Refresh", scheduled: "Scheduled", webhook: "Webhook" };

export type FailedJob = { at: Date; reason: string; attempts: number; retryAt: Date | null };

/**
 * Every run with its trigger, outcome and reason. `retryAt`: when the queue will try again
 * after the latest run failed (shown on that run). `failedJob`: a queue job that failed
 * outside any run (its handler stopped with an error), with its next retry.
 */
export function RunHistory({ runs, retryAt, failedJob }: { runs: Run[]; retryAt?: Date | null; failedJob?: FailedJob | null }) {
  if (!runs.length && !failedJob) return <p className="text-sm text-stone-500">No syncs yet.</p>;
  return (
    <ol className="divide-y divide-stone-100 text-sm">
      {failedJob && (
        <li className="flex flex-wrap items-center justify-between gap-2 py-2" data-testid="failed-job">
          <span className="flex items-center gap-2">
            <Badge tone="red">job failed</Badge>
            <span className="text-stone-500">{formatDateTime(failedJob.at)}</span>
          </span>
          <span className="text-stone-600">
            {failedJob.reason} (attempt {failedJob.attempts})
            <span className="ml-2 text-stone-500">{failedJob.retryAt ? `Retries at ${formatDateTime(failedJob.retryAt)}` : "No more retries: the next scheduled sync tries again."}</span>
          </span>
        </li>
      )}
      {runs.map((r, i) => {
        const secs = r.finishedAt ? ((r.finishedAt.getTime() - r.startedAt.getTime()) / 1000).toFixed(1) : null;
        return (
          <li key={r.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
            <span className="flex items-center gap-2">
              <Badge tone={r.status === "success" ? "green" : r.status === "partial" ? "amber" : r.status === "error" ? "red" : r.status === "running" ? "blue" : "gray"}>{r.status}</Badge>
              <span className="text-stone-700">{TRIGGER[r.trigger]}{r.dryRun ? " (dry run)" : ""}</span>
              <span className="text-stone-500">{formatDateTime(r.startedAt)}</span>
            </span>
            <span className="text-stone-600">
              {r.status === "running"
                ? "Running…"
                : r.status === "error" || r.status === "skipped"
                  ? (r.errorMessage ?? (r.errorCode === "already_syncing" ? "Skipped: already syncing" : r.errorCode))
                  : r.status === "partial"
                    ? `${runSummary(r)}. ${r.errorMessage ?? ""}`
                    : runSummary(r)}
              {secs && <span className="ml-2 text-stone-500">{secs}s</span>}
              {i === 0 && r.status !== "success" && r.status !== "partial" && r.status !== "running" && retryAt && (
                <span className="ml-2 text-stone-500" data-testid="run-retry-at">
                  Retries at {formatDateTime(retryAt)}
                </span>
              )}
            </span>
            {r.warnings?.length ? (
              <ul className="w-full text-amber-800" aria-label="Warnings">
                {r.warnings.map((w, i) => (
                  <li key={i}>⚠ {w}</li>
                ))}
              </ul>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
