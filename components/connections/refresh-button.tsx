"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { refreshConnectionAction, type RefreshResult } from "@/lib/actions/refresh-connection";
import { Button } from "@/components/ui/button";
import { progressText, useSyncProgress } from "./use-sync-progress";

/**
 * "Refresh now": runs the sync, shows live progress, then the result summary. With `limit`
 * (a provider's daily limit applies, worked out on the server) it is disabled and says why
 * and when the next refresh is possible.
 */
export function RefreshButton({ connectionId, disabled, limit }: { connectionId: string; disabled?: boolean; limit?: string | null }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [result, setResult] = useState<RefreshResult | { outcome: "error"; summary: string } | null>(null);
  const run = useSyncProgress(connectionId, pending);

  const refresh = () =>
    start(async () => {
      setResult(null);
      const r = await refreshConnectionAction(undefined, { connectionId });
      if (r.status === "success") setResult(r.data);
      else setResult({ outcome: "error", summary: r.status === "error" ? r.message : "Could not start the refresh." });
      router.refresh();
    });

  return (
    <div className="flex flex-col items-end gap-1">
      <Button variant="secondary" onClick={refresh} disabled={pending || disabled || Boolean(limit)} aria-busy={pending} aria-describedby={limit ? `refresh-limit-${connectionId}` : undefined}>
        {pending ? "Refreshing…" : "Refresh now"}
      </Button>
      {limit && !pending && (
        <p id={`refresh-limit-${connectionId}`} className="max-w-xs text-right text-xs text-amber-800" data-testid="refresh-limit">
          {limit}
        </p>
      )}
      <p role="status" aria-live="polite" className="min-h-5 text-right text-xs text-stone-500" data-testid="refresh-status">
        {pending ? progressText(run) : result ? (
          <span className={result.outcome === "error" ? "text-red-700" : result.outcome === "success" ? "text-emerald-700" : ""}>{result.summary}</span>
        ) : null}
      </p>
    </div>
  );
}
