"use client";

import { useState, useTransition } from "react";
import type { FormField } from "@/lib/connectors/contract";
import { linkConnectionAction } from "@/lib/actions/link-connection";
import { refreshConnectionAction } from "@/lib/actions/refresh-connection";
import { Button, ButtonLink } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/field";
import { progressText, useSyncProgress } from "@/components/connections/use-sync-progress";

type Phase = { step: "form" } | { step: "importing"; connectionId: string } | { step: "done"; summary: string; ok: boolean };

/** Link flow for connectors whose strategy is a plain form (the demo bank, credentials forms). */
export function FormLink({ connectorId, fields }: { connectorId: string; fields: FormField[] }) {
  const [phase, setPhase] = useState<Phase>({ step: "form" });
  const [error, setError] = useState<string | undefined>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [pending, start] = useTransition();
  const run = useSyncProgress(phase.step === "importing" ? phase.connectionId : null, phase.step === "importing");

  const submit = (fd: FormData) =>
    start(async () => {
      setError(undefined);
      setFieldErrors({});
      const payload = Object.fromEntries(fields.map((f) => [f.name, String(fd.get(f.name) ?? "")]));
      const linked = await linkConnectionAction(undefined, { connectorId: connectorId as "demo", payload });
      if (linked.status !== "success") {
        setError(linked.status === "error" ? linked.message : linked.status === "invalid" ? linked.formError : undefined);
        if (linked.status === "invalid") setFieldErrors(linked.fieldErrors);
        return;
      }
      const connectionId = linked.data.connectionId;
      setPhase({ step: "importing", connectionId });
      const r = await refreshConnectionAction(undefined, { connectionId, initial: true });
      if (r.status === "success" && r.data.outcome === "success") setPhase({ step: "done", ok: true, summary: `First import finished: ${r.data.summary}.` });
      else setPhase({ step: "done", ok: false, summary: r.status === "success" ? r.data.summary : "The first import could not start." });
    });

  if (phase.step === "importing")
    return (
      <div role="status" aria-live="polite" className="flex items-center gap-3 rounded-lg bg-brand-50 px-4 py-3 text-sm text-brand-700">
        <span className="inline-block h-4 w-4 animate-spin rounded-full border-2 border-brand-600 border-t-transparent" aria-hidden />
        <span data-testid="import-progress">{progressText(run)}</span>
      </div>
    );

  if (phase.step === "done")
    return (
      <div className="space-y-4">
        <p role="status" className={`rounded-lg px-4 py-3 text-sm ${phase.ok ? "bg-emerald-50 text-emerald-800" : "bg-amber-50 text-amber-900"}`}>
          {phase.summary}
          {!phase.ok && " The connection was saved; you can retry from Connections."}
        </p>
        <div className="flex gap-2">
          <ButtonLink href="/transactions">See transactions</ButtonLink>
          <ButtonLink href="/connections" variant="secondary">
            Back to connections
          </ButtonLink>
        </div>
      </div>
    );

  return (
    <form action={submit} className="max-w-md space-y-4" noValidate>
      <FormError message={error} />
      {fields.map((f) =>
        f.kind === "select" ? (
          <div key={f.name} className="space-y-1">
            <label htmlFor={`f-${f.name}`} className="block text-sm font-medium text-stone-700">
              {f.label}
            </label>
            <select
              id={`f-${f.name}`}
              name={f.name}
              defaultValue={f.defaultValue ?? f.options[0]?.value}
              className="block w-full rounded-md border border-stone-300 bg-white px-3 py-2 text-sm shadow-sm focus:ring-2 focus:ring-brand-500"
            >
              {f.options.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </div>
        ) : (
          <Field
            key={f.name}
            label={f.label}
            name={f.name}
            type={f.kind === "password" ? "password" : f.kind === "number" ? "number" : "text"}
            inputMode={f.kind === "number" ? "numeric" : undefined}
            defaultValue={f.defaultValue}
            hint={f.hint}
            errors={fieldErrors[f.name] ?? fieldErrors[`payload.${f.name}`]}
          />
        ),
      )}
      <Button type="submit" disabled={pending}>
        {pending ? "Linking…" : "Link and import"}
      </Button>
    </form>
  );
}
