"use client";

import { useRouter } from "next/navigation";
import { useActionState, useId, useState } from "react";
import { renameAccountAction } from "@/lib/actions/rename-account";
import { renameConnectionAction } from "@/lib/actions/rename-connection";

/**
 * "Rename" next to a connection's or an account's name: opens a small inline form;
 * after an error it keeps what was typed and says why.
 */
export function RenameForm({ kind, id, name, label }: { kind: "connection" | "account"; id: string; name: string; label: string }) {
  const [open, setOpen] = useState(false);
  const router = useRouter();
  const fieldId = useId();
  const run = async (prev: Awaited<ReturnType<typeof renameConnectionAction>>, fd: FormData) => {
    const result = await (kind === "connection" ? renameConnectionAction(prev, fd) : renameAccountAction(prev, fd));
    if (result.status === "success") {
      setOpen(false);
      router.refresh();
    }
    return result;
  };
  const [state, action, pending] = useActionState(run, { status: "idle" });
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)} className="rounded px-1.5 py-0.5 text-xs font-medium text-brand-700 hover:bg-stone-100 focus-visible:outline-2 focus-visible:outline-brand-600" aria-label={`Rename ${label}`}>
        Rename
      </button>
    );
  const error = state.status === "invalid" ? (state.fieldErrors.name?.join(" ") ?? state.formError) : state.status === "error" ? state.message : undefined;
  const typed = state.status === "invalid" ? state.values?.name : undefined;
  return (
    <form action={action} className="flex flex-wrap items-center gap-2" aria-label={`Rename ${label}`}>
      <input type="hidden" name={kind === "connection" ? "connectionId" : "accountId"} value={id} />
      <label htmlFor={fieldId} className="sr-only">
        New name for {label}
      </label>
      <input
        id={fieldId}
        name="name"
        defaultValue={typed ?? name}
        maxLength={200}
        autoFocus
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${fieldId}-err` : undefined}
        className="w-56 max-w-full rounded-md border border-stone-300 px-2 py-1 text-sm focus:outline-none focus:ring-2 focus:ring-brand-500"
      />
      <button type="submit" disabled={pending} className="rounded-md bg-brand-600 px-2.5 py-1 text-xs font-medium text-white hover:bg-brand-700">
        Save
      </button>
      <button type="button" onClick={() => setOpen(false)} className="rounded-md px-2 py-1 text-xs text-stone-700 hover:bg-stone-100">
        Cancel
      </button>
      {error && (
        <p id={`${fieldId}-err`} role="alert" className="w-full text-xs text-red-700">
          {error}
        </p>
      )}
    </form>
  );
}
