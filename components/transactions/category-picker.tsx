"use client";

import { createContext, useContext, useId, useMemo, useRef, useState, useTransition } from "react";
import { categoryOptions, type CategoryOption as Option } from "@/lib/categories/options";
import { updateTransactionAction } from "@/lib/actions/update-transaction";

/** The user's own categories (beyond the taxonomy), provided once by the table. */
export const OwnCategories = createContext<readonly string[]>([]);

/**
 * Category of one transaction: click (or Enter) opens a searchable list of the one taxonomy
 * plus the user's own categories; Enter picks the highlighted one, arrows move, Escape closes.
 * A new category is only made by choosing "Create …" explicitly, so a typo ("Restuarants")
 * picks the real category instead of inventing one.
 */
export function CategoryPicker({ id, value, edited }: { id: string; value: string | null; edited: boolean }) {
  const own = useContext(OwnCategories);
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const [current, setCurrent] = useState(value);
  const [error, setError] = useState<string | null>(null);
  const [pending, start] = useTransition();
  const listId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const options = useMemo(() => [...categoryOptions(query, own), ...(current && !query ? [{ value: "", group: "", clear: true }] : [])], [query, own, current]);

  const close = () => {
    setOpen(false);
    setQuery("");
    setActive(0);
    button.current?.focus();
  };
  const choose = (o: Option | undefined) => {
    if (!o) return;
    start(async () => {
      setError(null);
      const r = await updateTransactionAction(undefined, { id, category: o.clear ? "" : o.value });
      if (r.status === "success") {
        setCurrent(r.data.category);
        close();
      } else setError(r.status === "error" ? r.message : (Object.values(r.status === "invalid" ? r.fieldErrors : {}).flat()[0] ?? "Could not save."));
    });
  };

  return (
    <div
      className="relative"
      onClick={(e) => e.stopPropagation()}
      onBlur={(e) => {
        if (open && !e.currentTarget.contains(e.relatedTarget as Node | null)) {
          setOpen(false);
          setQuery("");
        }
      }}
    >
      <button
        ref={button}
        type="button"
        aria-haspopup="listbox"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        className="-mx-1 rounded px-1 text-left hover:bg-stone-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-500"
        aria-label={`Edit category${current ? `: ${current}` : ""}`}
      >
        {current ?? <span className="text-stone-500">Uncategorised</span>}
        {(edited || current !== value) && (
          <span className="ml-1 text-[10px] uppercase text-brand-700" title="Edited by you; sync keeps your value">
            edited
          </span>
        )}
      </button>
      {open && (
        <div className="mt-1 w-56 max-w-full rounded-lg border border-stone-200 bg-white p-2 shadow-lg">
          <input
            autoFocus
            role="combobox"
            aria-label="New category"
            aria-expanded="true"
            aria-controls={listId}
            aria-activedescendant={options[active] ? `${listId}-${active}` : undefined}
            aria-autocomplete="list"
            value={query}
            disabled={pending}
            placeholder="Search or create…"
            onChange={(e) => {
              setQuery(e.target.value);
              setActive(0);
            }}
            onKeyDown={(e) => {
              if (e.key === "Escape") {
                e.preventDefault();
                close();
              } else if (e.key === "ArrowDown") {
                e.preventDefault();
                setActive((a) => Math.min(a + 1, options.length - 1));
              } else if (e.key === "ArrowUp") {
                e.preventDefault();
                setActive((a) => Math.max(a - 1, 0));
              } else if (e.key === "Enter") {
                e.preventDefault();
                choose(options[active]);
              }
            }}
            className="w-full rounded border border-brand-500 px-2 py-1 text-sm focus:outline-none"
          />
          <ul id={listId} role="listbox" aria-label="Categories" className="mt-1 max-h-48 overflow-y-auto text-sm">
            {options.map((o, i) => (
              <li
                key={`${o.group}:${o.value}:${o.create ? "c" : o.clear ? "x" : ""}`}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === active}
                onMouseEnter={() => setActive(i)}
                onMouseDown={(e) => {
                  e.preventDefault();
                  choose(o);
                }}
                className={`flex cursor-pointer items-baseline justify-between gap-2 rounded px-2 py-1 ${i === active ? "bg-brand-50 text-brand-900" : ""}`}
              >
                {o.create ? (
                  <span>
                    Create “<strong>{o.value}</strong>”
                  </span>
                ) : o.clear ? (
                  <span className="text-stone-600">Remove category</span>
                ) : (
                  <>
                    <span>{o.value}</span>
                    <span className="text-xs text-stone-500">{o.group}</span>
                  </>
                )}
              </li>
            ))}
          </ul>
          {error && (
            <p role="alert" className="mt-1 text-xs text-red-600">
              {error}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
