"use client";

import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { useReconnect } from "@/components/connections/use-reconnect";

/**
 * Reconnect a web-banking login: after the bank asks for a one-time code (the scheduled
 * syncs stop and say so), after a password change, or after the user was unlocked.
 * First submit without a code; if the bank texts one, enter it and submit again.
 */
export function EbankReconnect({ connectionId }: { connectionId: string }) {
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const repair = useReconnect(connectionId);
  return (
    <form
      className="flex flex-wrap items-end gap-3"
      aria-label="Reconnect web banking"
      onSubmit={(e) => {
        e.preventDefault();
        const fd = new FormData(e.currentTarget);
        start(async () => {
          setMessage(null);
          const r = await repair({ password: String(fd.get("password") ?? ""), otp: String(fd.get("otp") ?? "") });
          setMessage({ ok: r.ok, text: r.message });
        });
      }}
    >
      <Field label="New password (only if you changed it)" name="password" type="password" autoComplete="off" id={`pw-${connectionId}`} />
      <Field label="One-time code" name="otp" inputMode="numeric" autoComplete="one-time-code" id={`otp-${connectionId}`} />
      <Button type="submit" disabled={pending}>
        {pending ? "Reconnecting…" : "Reconnect"}
      </Button>
      {message && (
        <p role="status" className={`w-full text-sm ${message.ok ? "text-emerald-800" : "text-red-700"}`}>
          {message.text}
        </p>
      )}
    </form>
  );
}
