"use client";

import { useRouter } from "next/navigation";
import { useCallback } from "react";
import { reconnectConnectionAction } from "@/lib/actions/reconnect-connection";
import { refreshConnectionAction } from "@/lib/actions/refresh-connection";

/** Repair a connection (with what the provider's widget returned, if anything), then sync it from its saved cursor. */
export function useReconnect(connectionId: string) {
  const router = useRouter();
  return useCallback(
    async (payload?: Record<string, unknown>): Promise<{ ok: true; message: string } | { ok: false; message: string }> => {
      const r = await reconnectConnectionAction(undefined, { connectionId, payload });
      if (r.status !== "success") return { ok: false, message: r.status === "error" ? r.message : "Could not reconnect." };
      const s = await refreshConnectionAction(undefined, { connectionId, jobId: r.data?.jobId ?? undefined });
      router.refresh();
      return { ok: true, message: s.status === "success" ? `Reconnected. ${s.data.summary}` : "Reconnected." };
    },
    [connectionId, router],
  );
}
