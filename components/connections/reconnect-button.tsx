"use client";

import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { useReconnect } from "./use-reconnect";

/** Repair the login in place, then sync again from the saved cursor (no duplicates). */
export function ReconnectButton({ connectionId }: { connectionId: string }) {
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
  const repair = useReconnect(connectionId);
  const reconnect = () =>
    start(async () => {
      setMessage(null);
      setMessage((await repair()).message);
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
