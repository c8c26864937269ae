"use client";

import { usePathname, useRouter } from "next/navigation";
import { useId, useState } from "react";
import { quickRanges } from "@/lib/transactions/quick-ranges";

type Option = { value: string; label: string };

/** What the form shows: the parsed filters, or — when they did not parse — exactly what was typed. */
export type FilterValues = {
  from?: string;
  to?: string;
  q?: string;
  min?: string;
  max?: string;
  direction?: string;
  pending?: string;
  account?: string[];
  category?: string[];
  type?: string[];
  /** Set by links (the Overview's charts); kept through Apply as hidden fields, shown and removed as chips. */
  exclude_type?: string[];
  merchant?: string[];
  sort?: string;
  order?: string;
};

const input = "block w-full rounded-md border border-stone-300 bg-white px-2.5 py-1.5 text-sm shadow-sm focus:outline-none focus:ring-2 focus:ring-brand-500";
const invalid = "border-red-400 ring-1 ring-red-300";

/** How many filters narrow the view (for the "Filters (n)" button on phones). */
export function activeFilterCount(v: FilterValues, fixedAccount?: string): number {
  let n = 0;
  for (const k of ["from", "to", "q", "min", "max", "direction"] as const) if (v[k]) n++;
  if (v.pending && v.pending !== "include") n++;
  if (!fixedAccount && v.account?.length) n++;
  if (v.category?.length) n++;
  if (v.type?.length) n++;
  if (v.exclude_type?.length) n++;
  if (v.merchant?.length) n++;
  return n;
}

/**
 * The filter form. Its field names ARE the filter schema's keys, so submitting it
 * produces the same query string the API and the export accept. On a phone it folds
 * behind a "Filters" button showing how many are active; after an invalid value it
 * keeps everything that was typed and marks the bad field.
 */
export function FilterBar({
  values,
  accounts,
  categories,
  types,
  fixedAccount,
  fieldErrors = {},
}: {
  values: FilterValues;
  accounts: Option[];
  categories: string[];
  types: string[];
  fixedAccount?: string;
  fieldErrors?: Record<string, string[]>;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const hasErrors = Object.keys(fieldErrors).length > 0;
  const [open, setOpen] = useState(hasErrors);
  const formId = useId();
  const count = activeFilterCount(values, fixedAccount);

  const submit = (fd: FormData) => {
    const p = new URLSearchParams();
    for (const [k, v] of fd.entries()) if (typeof v === "string" && v.trim() !== "") p.append(k, v.trim());
    if (values.sort && values.sort !== "date") p.set("sort", values.sort);
    if (values.order && values.order !== "desc") p.set("order", values.order);
    router.push(`${pathname}${p.size ? `?${p}` : ""}`);
  };
  const applyRange = (from: string, to: string) => {
    const form = document.getElementById(formId) as HTMLFormElement | null;
    if (!form) return;
    (form.elements.namedItem("from") as HTMLInputElement).value = from;
    (form.elements.namedItem("to") as HTMLInputElement).value = to;
    form.requestSubmit();
  };
  const err = (k: string) =>
    fieldErrors[k] ? (
      <p className="mt-0.5 text-xs text-red-600" role="alert" id={`${formId}-${k}-err`}>
        {fieldErrors[k]!.join(" ")}
      </p>
    ) : null;
  const aria = (k: string) => (fieldErrors[k] ? { "aria-invalid": true as const, "aria-describedby": `${formId}-${k}-err` } : {});
  const cls = (k: string) => `${input} ${fieldErrors[k] ? invalid : ""}`;

  return (
    <div className="rounded-xl border border-stone-200 bg-white">
      <div className="flex flex-wrap items-center gap-2 p-3 md:px-4">
        <button
          type="button"
          onClick={() => setOpen((o) => !o)}
          aria-expanded={open}
          aria-controls={formId}
          className="rounded-md px-3 py-1.5 text-sm font-medium ring-1 ring-stone-300 hover:bg-stone-50 md:hidden"
        >
          Filters{count ? ` (${count})` : ""}
        </button>
        <span className="text-xs font-medium text-stone-500">Quick range:</span>
        {quickRanges(new Date()).map((r) => (
          <button
            key={r.label}
            type="button"
            onClick={() => applyRange(r.from, r.to)}
            aria-pressed={values.from === r.from && values.to === r.to}
            className={`rounded-full px-2.5 py-1 text-xs font-medium ring-1 ${values.from === r.from && values.to === r.to ? "bg-brand-50 text-brand-700 ring-brand-500" : "text-stone-600 ring-stone-200 hover:bg-stone-50"}`}
          >
            {r.label}
          </button>
        ))}
      </div>
      <form
        id={formId}
        action={submit}
        className={`${open ? "grid" : "hidden"} gap-3 border-t border-stone-100 p-4 sm:grid-cols-2 md:grid lg:grid-cols-4`}
        aria-label="Filter transactions"
      >
        <label className="text-xs font-medium text-stone-600">
          From
          <input type="date" name="from" defaultValue={values.from} className={cls("from")} {...aria("from")} />
          {err("from")}
        </label>
        <label className="text-xs font-medium text-stone-600">
          To
          <input type="date" name="to" defaultValue={values.to} className={cls("to")} {...aria("to")} />
          {err("to")}
        </label>
        <label className="text-xs font-medium text-stone-600 lg:col-span-2">
          Search merchant, description or note
          <input type="search" name="q" defaultValue={values.q} placeholder="e.g. coffee" className={cls("q")} {...aria("q")} />
          {err("q")}
        </label>
        <label className="text-xs font-medium text-stone-600">
          Min amount
          <input name="min" inputMode="decimal" defaultValue={values.min} placeholder="0.00" className={cls("min")} {...aria("min")} />
          {err("min")}
        </label>
        <label className="text-xs font-medium text-stone-600">
          Max amount
          <input name="max" inputMode="decimal" defaultValue={values.max} placeholder="any" className={cls("max")} {...aria("max")} />
          {err("max")}
        </label>
        <label className="text-xs font-medium text-stone-600">
          Direction
          <select name="direction" defaultValue={values.direction ?? ""} className={cls("direction")} {...aria("direction")}>
            <option value="">In and out</option>
            <option value="out">Money out</option>
            <option value="in">Money in</option>
          </select>
          {err("direction")}
        </label>
        <label className="text-xs font-medium text-stone-600">
          Pending
          <select name="pending" defaultValue={values.pending ?? "include"} className={cls("pending")} {...aria("pending")}>
            <option value="include">Include pending</option>
            <option value="exclude">Posted only</option>
            <option value="only">Pending only</option>
          </select>
          {err("pending")}
        </label>
        {fixedAccount ? (
          <input type="hidden" name="account" value={fixedAccount} />
        ) : (
          <MultiPick name="account" label="Accounts" allLabel="All accounts" options={accounts} selected={values.account ?? []} error={err("account")} />
        )}
        <MultiPick name="category" label="Categories" allLabel="All categories" options={categories.map((c) => ({ value: c, label: c }))} selected={values.category ?? []} error={err("category")} />
        <MultiPick name="type" label="Types" allLabel="All types" options={types.map((c) => ({ value: c, label: c }))} selected={values.type ?? []} error={err("type")} />
        {values.exclude_type?.map((t) => <input key={`x-${t}`} type="hidden" name="exclude_type" value={t} />)}
        {values.merchant?.map((m) => <input key={`m-${m}`} type="hidden" name="merchant" value={m} />)}
        <div className="flex items-end gap-2">
          <button type="submit" className="rounded-md bg-brand-600 px-3.5 py-1.5 text-sm font-medium text-white hover:bg-brand-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600">
            Apply filters
          </button>
          <a href={pathname} className="rounded-md px-3 py-1.5 text-sm text-stone-600 hover:bg-stone-100">
            Clear
          </a>
        </div>
      </form>
    </div>
  );
}

/**
 * A multi-select as a folding list of checkboxes (every value keeps its own
 * `name=value` pair, so two categories in the URL stay two after Apply). Values in
 * the URL that are not among the options (e.g. an old category) are still listed.
 */
function MultiPick({ name, label, allLabel, options, selected, error }: { name: string; label: string; allLabel: string; options: Option[]; selected: string[]; error: React.ReactNode }) {
  const known = new Set(options.map((o) => o.value));
  const all = [...options, ...selected.filter((s) => !known.has(s)).map((s) => ({ value: s, label: s }))];
  const chosen = new Set(selected);
  const summary = selected.length === 0 ? allLabel : selected.length === 1 ? (all.find((o) => o.value === selected[0])?.label ?? selected[0]) : `${selected.length} selected`;
  return (
    <fieldset className="text-xs font-medium text-stone-600">
      <legend>{label}</legend>
      <details className="group relative">
        <summary className={`${input} flex cursor-pointer list-none items-center justify-between`} data-testid={`pick-${name}`}>
          <span className="truncate">{summary}</span>
          <span aria-hidden className="ml-2 text-stone-500 group-open:rotate-180">▾</span>
        </summary>
        <div className="absolute z-30 mt-1 max-h-64 w-full min-w-48 overflow-auto rounded-md border border-stone-200 bg-white p-1 shadow-lg">
          {all.length === 0 && <p className="px-2 py-1.5 font-normal text-stone-500">Nothing to pick yet.</p>}
          {all.map((o) => (
            <label key={o.value} className="flex cursor-pointer items-center gap-2 rounded px-2 py-1.5 font-normal text-stone-800 hover:bg-stone-50">
              <input type="checkbox" name={name} value={o.value} defaultChecked={chosen.has(o.value)} className="accent-brand-600" />
              <span className="truncate">{o.label}</span>
            </label>
          ))}
        </div>
      </details>
      {error}
    </fieldset>
  );
}
