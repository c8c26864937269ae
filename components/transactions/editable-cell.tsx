"use client";

import { useState, useTransition } from "react";
import { updateTransactionAction } from "@/lib/actions/update-transaction";

/** Click (or Enter) to edit; Enter saves, Escape cancels. Saving marks the field user-edited. */
export function EditableCell({
  id,
  field,
  value,
  edited,
  placeholder,
  multiline = false,
}: {
  id: string;
  field: "category" | "note";
  value: string | null;
  edited: boolean;
  placeholder: string;
  multiline?: boolean;
}) {
  const [editing, setEditing] = useState(false);
  const [current, setCurrent] = useState(value);
  const [error, setError] = useState<string | null>(null);
  const [pending, start] = useTransition();

  const save = (next: string) =>
    start(async () => {
      setError(null);
      const r = await updateTransactionAction(undefined, { id, [field]: next });
      if (r.status === "success") {
        setCurrent(r.data[field]);
        setEditing(false);
      } else setError(r.status === "error" ? r.message : (Object.values(r.status === "invalid" ? r.fieldErrors : {}).flat()[0] ?? "Could not save."));
    });

  if (!editing)
    return (
      <button
        type="button"
        onClick={(e) => {
          e.stopPropagation();
          setEditing(true);
        }}
        className="group -mx-1 rounded px-1 text-left hover:bg-stone-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-500"
        // The name starts with what is visible (axe label-content-name-mismatch): the value or the placeholder.
        aria-label={`${current ? `${current} (edit ${field})` : placeholder}${edited || current !== value ? " edited" : ""}`}
      >
        {current ?? <span className="text-stone-500">{placeholder}</span>}
        {(edited || current !== value) && <span className="ml-1 text-[10px] uppercase text-brand-700" title="Edited by you; sync keeps your value">edited</span>}
      </button>
    );

  const props = {
    autoFocus: true,
    defaultValue: current ?? "",
    disabled: pending,
    "aria-label": `New ${field}`,
    className: "w-full rounded border border-brand-500 px-1.5 py-0.5 text-sm focus:outline-none",
    onClick: (e: React.MouseEvent) => e.stopPropagation(),
    onKeyDown: (e: React.KeyboardEvent<HTMLInputElement | HTMLTextAreaElement>) => {
      if (e.key === "Escape") setEditing(false);
      if (e.key === "Enter" && (!multiline || e.metaKey || e.ctrlKey)) {
        e.preventDefault();
        save(e.currentTarget.value);
      }
    },
    onBlur: (e: React.FocusEvent<HTMLInputElement | HTMLTextAreaElement>) => {
      if (e.currentTarget.value !== (current ?? "")) save(e.currentTarget.value);
      else setEditing(false);
    },
  };
  return (
    <div>
      {multiline ? <textarea rows={2} {...props} /> : <input {...props} />}
      {error && (
        <p role="alert" className="text-xs text-red-600">
          {error}
        </p>
      )}
    </div>
  );
}
