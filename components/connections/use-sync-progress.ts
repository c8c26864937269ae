"use client";

import { useEffect, useState } from "react";

export type ProgressRun = { status: string; added: number; modified: number; removed: number; pages: number } | null;

/** Poll a connection's latest run while `active` (an import or refresh is under way). */
export function useSyncProgress(connectionId: string | null, active: boolean, intervalMs = 600): ProgressRun {
  const [run, setRun] = useState<ProgressRun>(null);
  useEffect(() => {
    if (!connectionId || !active) return;
    let stop = false;
    const tick = async () => {
      try {
        const res = await fetch(`/api/connections/${connectionId}/progress`, { cache: "no-store" });
        if (res.ok && !stop) setRun(((await res.json()) as { run: ProgressRun }).run);
      } catch {
        /* next tick */
      }
    };
    void tick();
    const id = setInterval(tick, intervalMs);
    return () => {
      stop = true;
      clearInterval(id);
    };
  }, [connectionId, active, intervalMs]);
  return active ? run : null;
}

export function progressText(run: ProgressRun): string {
  if (!run || run.status !== "running") return "Contacting the bank…";
  const n = run.added + run.modified + run.removed;
  return `Imported ${n.toLocaleString("en-US")} transaction${n === 1 ? "" : "s"} so far (page ${run.pages})…`;
}
