"use client";

import { usePathname, useRouter } from "next/navigation";
import type { TransactionFilters } from "@/lib/transactions/filters";

type Option = { value: string; label: string };

const input = "block w-full rounded-md border border-stone-300 bg-white px-2.5 py-1.5 text-sm shadow-sm focus:outline-none focus:ring-2 focus:ring-brand-500";

/**
 * The filter form. Its field names ARE the filter schema's keys, so submitting it
 * produces the same query string the API and the export accept.
 */
export function FilterBar({
  filters,
  accounts,
  categories,
  fixedAccount,
  fieldErrors = {},
}: {
  filters: Partial<TransactionFilters>;
  accounts: Option[];
  categories: string[];
  fixedAccount?: string;
  fieldErrors?: Record<string, string[]>;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const submit = (fd: FormData) => {
    const p = new URLSearchParams();
    for (const [k, v] of fd.entries()) if (typeof v === "string" && v.trim() !== "") p.append(k, v.trim());
    if (filters.sort && filters.sort !== "date") p.set("sort", filters.sort);
    if (filters.order && filters.order !== "desc") p.set("order", filters.order);
    router.push(`${pathname}${p.size ? `?${p}` : ""}`);
  };
  const err = (k: string) =>
    fieldErrors[k] ? (
      <p className="mt-0.5 text-xs text-red-600" role="alert">
        {fieldErrors[k]!.join(" ")}
      </p>
    ) : null;
  return (
    <form action={submit} className="grid gap-3 rounded-xl border border-stone-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-4" aria-label="Filter transactions">
      <label className="text-xs font-medium text-stone-600">
        From
        <input type="date" name="from" defaultValue={filters.from} className={input} />
        {err("from")}
      </label>
      <label className="text-xs font-medium text-stone-600">
        To
        <input type="date" name="to" defaultValue={filters.to} className={input} />
        {err("to")}
      </label>
      <label className="text-xs font-medium text-stone-600 lg:col-span-2">
        Search merchant or description
        <input type="search" name="q" defaultValue={filters.q} placeholder="e.g. coffee" className={input} />
        {err("q")}
      </label>
      <label className="text-xs font-medium text-stone-600">
        Min amount
        <input name="min" inputMode="decimal" defaultValue={filters.min} placeholder="0.00" className={input} />
        {err("min")}
      </label>
      <label className="text-xs font-medium text-stone-600">
        Max amount
        <input name="max" inputMode="decimal" defaultValue={filters.max} placeholder="any" className={input} />
        {err("max")}
      </label>
      <label className="text-xs font-medium text-stone-600">
        Direction
        <select name="direction" defaultValue={filters.direction ?? ""} className={input}>
          <option value="">In and out</option>
          <option value="out">Money out</option>
          <option value="in">Money in</option>
        </select>
      </label>
      <label className="text-xs font-medium text-stone-600">
        Pending
        <select name="pending" defaultValue={filters.pending ?? "include"} className={input}>
          <option value="include">Include pending</option>
          <option value="exclude">Posted only</option>
          <option value="only">Pending only</option>
        </select>
      </label>
      {fixedAccount ? (
        <input type="hidden" name="account" value={fixedAccount} />
      ) : (
        <label className="text-xs font-medium text-stone-600">
          Account
          <select name="account" defaultValue={filters.account?.[0] ?? ""} className={input}>
            <option value="">All accounts</option>
            {accounts.map((a) => (
              <option key={a.value} value={a.value}>
                {a.label}
              </option>
            ))}
          </select>
          {err("account")}
        </label>
      )}
      <label className="text-xs font-medium text-stone-600">
        Category
        <select name="category" defaultValue={filters.category?.[0] ?? ""} className={input}>
          <option value="">All categories</option>
          {categories.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </label>
      <div className="flex items-end gap-2 lg:col-span-2">
        <button type="submit" className="rounded-md bg-brand-600 px-3.5 py-1.5 text-sm font-medium text-white hover:bg-brand-700">
          Apply filters
        </button>
        <a href={fixedAccount ? pathname : pathname} className="rounded-md px-3 py-1.5 text-sm text-stone-600 hover:bg-stone-100">
          Clear
        </a>
      </div>
    </form>
  );
}
