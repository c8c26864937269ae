"use client";

import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { useReconnect } from "@/components/connections/use-reconnect";

/** SimpleFIN reconnect: a new setup token replaces the revoked access on the same connection (same accounts, same history). */
export function SimplefinReconnect({ connectionId }: { connectionId: string }) {
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
  const repair = useReconnect(connectionId);
  return (
    <form
      className="flex flex-wrap items-end gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        const token = String(new FormData(e.currentTarget).get("setupToken") ?? "");
        start(async () => {
          setMessage(null);
          setMessage((await repair({ setupToken: token })).message);
        });
      }}
    >
      <label className="space-y-1 text-sm">
        <span className="block font-medium">New setup token</span>
        <input name="setupToken" type="password" autoComplete="off" className="block w-64 max-w-full rounded-md border border-stone-300 bg-white px-3 py-1.5 text-sm text-stone-900" />
      </label>
      <Button type="submit" disabled={pending}>
        {pending ? "Reconnecting…" : "Reconnect"}
      </Button>
      {message && (
        <span role="status" className="basis-full text-sm">
          {message}
        </span>
      )}
    </form>
  );
}
