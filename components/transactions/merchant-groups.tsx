"use client";

import Link from "next/link";
import { useState, useTransition } from "react";
import { renameMerchantAction } from "@/lib/actions/rename-merchant";
import { formatDate, formatMoney, isNegative } from "@/lib/format";

type Group = { merchant: string; currency: string; count: number; total: string; lastDate: string };

/** Totals per merchant; each name opens its rows in the table, and can be renamed for all of them at once. */
export function MerchantGroups({ groups, rowsHref }: { groups: Group[]; rowsHref: Record<string, string> }) {
  return (
    <div className="overflow-x-auto rounded-xl border border-stone-200 bg-white">
      <table className="w-full text-sm" data-testid="merchant-groups">
        <thead className="bg-stone-50 text-left text-xs uppercase tracking-wide text-stone-500">
          <tr>
            <th scope="col" className="px-3 py-2 font-medium md:px-4">Merchant</th>
            <th scope="col" className="px-3 py-2 text-right font-medium md:px-4">Transactions</th>
            <th scope="col" className="hidden px-4 py-2 font-medium md:table-cell">Last</th>
            <th scope="col" className="px-3 py-2 text-right font-medium md:px-4">Total</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-stone-100">
          {groups.map((g) => (
            <tr key={`${g.merchant}|${g.currency}`}>
              <td className="px-3 py-2 md:px-4">
                <MerchantName name={g.merchant} href={rowsHref[g.merchant] ?? "#"} />
              </td>
              <td className="tabular px-3 py-2 text-right md:px-4">{g.count.toLocaleString("en-US")}</td>
              <td className="hidden px-4 py-2 text-stone-500 md:table-cell">{formatDate(g.lastDate)}</td>
              <td className={`tabular px-3 py-2 text-right font-medium md:px-4 ${isNegative(g.total) ? "" : "text-emerald-700"}`}>{formatMoney(g.total, g.currency, { signed: true })}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function MerchantName({ name, href }: { name: string; href: string }) {
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, start] = useTransition();
  if (!editing)
    return (
      <span className="flex flex-wrap items-center gap-x-2">
        <Link href={href} className="font-medium text-stone-900 hover:underline">
          {name}
        </Link>
        <button type="button" onClick={() => setEditing(true)} className="text-xs text-brand-700 hover:underline" aria-label={`Rename ${name}`}>
          Rename
        </button>
      </span>
    );
  return (
    <form
      className="flex flex-wrap items-center gap-2"
      action={(fd) =>
        start(async () => {
          setError(null);
          const r = await renameMerchantAction(undefined, { from: name, to: String(fd.get("to") ?? "") });
          if (r.status === "success") setEditing(false);
          else setError(r.status === "error" ? r.message : r.status === "invalid" ? (Object.values(r.fieldErrors).flat()[0] ?? "Could not rename.") : "Could not rename.");
        })
      }
    >
      <label className="sr-only" htmlFor={`rename-${name}`}>
        New name for {name}
      </label>
      <input
        id={`rename-${name}`}
        name="to"
        defaultValue={name}
        autoFocus
        onKeyDown={(e) => e.key === "Escape" && setEditing(false)}
        className="min-w-0 rounded-md border border-stone-300 px-2 py-1 text-sm focus:outline-none focus:ring-2 focus:ring-brand-500"
      />
      <button type="submit" disabled={pending} className="rounded-md bg-brand-600 px-2.5 py-1 text-xs font-medium text-white disabled:opacity-60">
        {pending ? "Saving…" : "Rename all"}
      </button>
      <button type="button" onClick={() => setEditing(false)} className="text-xs text-stone-600 hover:underline">
        Cancel
      </button>
      {error && (
        <p role="alert" className="w-full text-xs text-red-600">
          {error}
        </p>
      )}
    </form>
  );
}
