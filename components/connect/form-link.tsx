"use client";

import { useState, useTransition } from "react";
import type { FormField } from "@/lib/connectors/contract";
import type { ConnectorId } from "@/lib/connectors/registry";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/field";
import { ImportStatus, useLinkAndImport } from "./link-and-import";

/** Link flow for connectors whose strategy is a plain form (the demo bank, credentials forms). */
export function FormLink({ connectorId, fields }: { connectorId: ConnectorId; fields: FormField[] }) {
  const { phase, run, linkAndImport } = useLinkAndImport();
  const [error, setError] = useState<string | undefined>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [pending, start] = useTransition();

  const submit = (fd: FormData) =>
    start(async () => {
      setError(undefined);
      setFieldErrors({});
      const payload = Object.fromEntries(fields.map((f) => [f.name, String(fd.get(f.name) ?? "")]));
      const r = await linkAndImport(connectorId, payload);
      setError(r.error);
      setFieldErrors(r.fieldErrors ?? {});
    });

  if (phase.step !== "idle") return <ImportStatus phase={phase} run={run} />;

  return (
    // onSubmit, not `action`: React resets a form after its action, which would throw away
    // what the user chose and typed whenever the server says something is wrong.
    <form
      onSubmit={(e) => {
        e.preventDefault();
        submit(new FormData(e.currentTarget));
      }}
      className="max-w-md space-y-4"
      noValidate
    >
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
