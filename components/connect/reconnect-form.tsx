"use client";

import { useState, useTransition } from "react";
import type { FormField } from "@/lib/connectors/contract";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { useReconnect } from "@/components/connections/use-reconnect";

/**
 * A reconnect step of kind `form`: what the repair needs (a new setup token, a new
 * password, a one-time code), as the connector declares it. Submitted to Reconnect, which
 * hands the fields to the connector's completeLink with the stored credentials.
 */
export function ReconnectForm({ connectionId, fields, label }: { connectionId: string; fields: FormField[]; label?: string }) {
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const repair = useReconnect(connectionId);
  return (
    <form
      className="flex flex-wrap items-end gap-3"
      aria-label={label ?? "Reconnect"}
      onSubmit={(e) => {
        e.preventDefault();
        const fd = new FormData(e.currentTarget);
        start(async () => {
          setMessage(null);
          const r = await repair(Object.fromEntries(fields.map((f) => [f.name, String(fd.get(f.name) ?? "")])));
          setMessage({ ok: r.ok, text: r.message });
        });
      }}
    >
      {fields.map((f) =>
        f.kind === "select" ? (
          <label key={f.name} className="space-y-1 text-sm">
            <span className="block font-medium">{f.label}</span>
            <select name={f.name} defaultValue={f.defaultValue ?? f.options[0]?.value} className="block rounded-md border border-stone-300 bg-white px-3 py-1.5 text-sm">
              {f.options.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <Field
            key={f.name}
            id={`${f.name}-${connectionId}`}
            label={f.label}
            name={f.name}
            type={f.kind === "password" ? "password" : f.kind === "number" ? "number" : "text"}
            autoComplete={f.autoComplete}
            inputMode={f.autoComplete === "one-time-code" || f.kind === "number" ? "numeric" : undefined}
          />
        ),
      )}
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
