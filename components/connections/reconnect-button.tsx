"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { reconnectConnectionAction } from "@/lib/actions/reconnect-connection";
import { refreshConnectionAction } from "@/lib/actions/refresh-connection";
import { Button } from "@/components/ui/button";

/** Repair the login in place, then sync again from the saved cursor (no duplicates). */
export function ReconnectButton({ connectionId }: { connectionId: string }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
  const reconnect = () =>
    start(async () => {
      setMessage(null);
      const r = await reconnectConnectionAction(undefined, { connectionId });
      if (r.status !== "success") {
        setMessage(r.status === "error" ? r.message : "Could not reconnect.");
        return;
      }
      const s = await refreshConnectionAction(undefined, { connectionId });
      setMessage(s.status === "success" ? `Reconnected. ${s.data.summary}` : "Reconnected.");
      router.refresh();
    });
  return (
    <div className="flex items-center gap-3">
      <Button onClick={reconnect} disabled={pending}>
        {pending ? "Reconnecting…" : "Reconnect"}
      </Button>
      {message && (
        <span role="status" className="text-sm text-stone-600">
          {message}
        </span>
      )}
    </div>
  );
}
