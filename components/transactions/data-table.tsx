"use client";

import { CategoryOptions } from "@/components/transactions/category-options";
import { flexRender, getCoreRowModel, getExpandedRowModel, useReactTable } from "@tanstack/react-table";
import Link from "next/link";
import { Fragment, useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { bulkEditAction } from "@/lib/actions/bulk-edit";
import type { TransactionRow } from "@/lib/transactions/query";
import { columns, type ColumnMeta } from "./columns";
import { OwnCategories } from "./category-picker";
import { RowDetail } from "./row-detail";

/**
 * The transaction table: @tanstack/react-table for the row model, with filtering,
 * sorting and keyset paging done by the server (manual modes; state lives in the URL).
 */
export function DataTable({
  rows,
  sort,
  order,
  sortHref,
  ownCategories = [],
}: {
  rows: TransactionRow[];
  sort: string;
  order: "asc" | "desc";
  /** Link for sorting by a key (the server builds it so it keeps every filter). */
  sortHref: Record<"date" | "amount" | "merchant", string>;
  /** Categories in use, offered by the category picker beside the taxonomy. */
  ownCategories?: readonly string[];
}) {
  const [rowSelection, setRowSelection] = useState<Record<string, boolean>>({});
  // TanStack Table's instance is mutable by design, so the React Compiler cannot memoise this
  // component; this app does not run the compiler, and the table re-renders from its own state.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data: rows,
    state: { rowSelection },
    enableRowSelection: true,
    onRowSelectionChange: setRowSelection,
    columns,
    getRowId: (r) => r.id,
    getCoreRowModel: getCoreRowModel(),
    getExpandedRowModel: getExpandedRowModel(),
    getRowCanExpand: () => true,
    manualSorting: true,
    manualFiltering: true,
    manualPagination: true,
  });
  return (
    <OwnCategories.Provider value={ownCategories}>
    <BulkBar ids={Object.keys(rowSelection).filter((k) => rowSelection[k])} ownCategories={ownCategories} onDone={() => setRowSelection({})} />
    <div className="overflow-x-auto rounded-xl border border-stone-200 bg-white">
      <table className="w-full text-sm" data-testid="transactions-table">
        <thead className="bg-stone-50 text-left text-xs uppercase tracking-wide text-stone-500">
          {table.getHeaderGroups().map((hg) => (
            <tr key={hg.id}>
              {hg.headers.map((h) => {
                const meta = h.column.columnDef.meta as ColumnMeta | undefined;
                const active = meta?.sortKey === sort;
                return (
                  <th
                    key={h.id}
                    scope="col"
                    aria-sort={active ? (order === "asc" ? "ascending" : "descending") : undefined}
                    className={`px-3 py-2 font-medium md:px-4 ${meta?.align === "right" ? "text-right" : ""} ${meta?.desktopOnly ? "hidden md:table-cell" : ""}`}
                  >
                    {meta?.sortKey ? (
                      <Link href={sortHref[meta.sortKey]} className="inline-flex items-center gap-1 hover:text-stone-900" scroll={false}>
                        {flexRender(h.column.columnDef.header, h.getContext())}
                        <span aria-hidden className={active ? "text-stone-900" : "text-stone-300"}>
                          {active ? (order === "asc" ? "↑" : "↓") : "↕"}
                        </span>
                      </Link>
                    ) : (
                      flexRender(h.column.columnDef.header, h.getContext())
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody className="divide-y divide-stone-100">
          {table.getRowModel().rows.map((row) => (
            <Fragment key={row.id}>
              <tr className="cursor-pointer hover:bg-stone-50" onClick={row.getToggleExpandedHandler()} data-row={row.id}>
                {row.getVisibleCells().map((cell) => {
                  const meta = cell.column.columnDef.meta as ColumnMeta | undefined;
                  return (
                    <td key={cell.id} className={`px-3 py-2 align-top md:px-4 ${meta?.align === "right" ? "text-right" : ""} ${meta?.desktopOnly ? "hidden md:table-cell" : ""}`}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  );
                })}
              </tr>
              {row.getIsExpanded() && (
                <tr className="bg-stone-50/60">
                  <td colSpan={columns.length} className="px-3 py-3 md:px-4">
                    <RowDetail t={row.original} />
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
    </OwnCategories.Provider>
  );
}

/** Shown while rows are selected: one change for all of them. */
function BulkBar({ ids, ownCategories, onDone }: { ids: string[]; ownCategories: readonly string[]; onDone: () => void }) {
  const router = useRouter();
  const [category, setCategory] = useState("");
  const [message, setMessage] = useState<{ text: string; error?: boolean } | null>(null);
  const [pending, start] = useTransition();
  if (!ids.length && !message) return null;
  const run = (change: { category?: string; markTransfer?: boolean; hide?: boolean }, done: (n: number) => string) =>
    start(async () => {
      const r = await bulkEditAction(undefined, { ids, ...change });
      if (r.status === "success") {
        setMessage({ text: done(r.data.count) });
        onDone();
        router.refresh();
      } else setMessage({ text: r.status === "error" ? r.message : r.status === "invalid" ? (Object.values(r.fieldErrors).flat()[0] ?? r.formError ?? "Could not change them.") : "Could not change them.", error: true });
    });
  return (
    <div role="region" aria-label="Bulk edit" className="mb-2 flex flex-wrap items-center gap-2 rounded-xl border border-brand-200 bg-brand-50 px-3 py-2 text-sm" data-testid="bulk-bar">
      {ids.length > 0 && (
        <>
          <span className="font-medium">{ids.length} selected</span>
          <label className="sr-only" htmlFor="bulk-category">
            Category for the selected
          </label>
          <select id="bulk-category" value={category} onChange={(e) => setCategory(e.target.value)} className="rounded-md border border-stone-300 bg-white px-2 py-1">
            <option value="">Set category…</option>
            <CategoryOptions own={ownCategories} />
          </select>
          <button type="button" disabled={pending || !category} onClick={() => run({ category }, (n) => `Category set on ${n}.`)} className="rounded-md bg-brand-600 px-2.5 py-1 font-medium text-white disabled:opacity-50">
            Apply
          </button>
          <button type="button" disabled={pending} onClick={() => run({ markTransfer: true }, (n) => `${n} marked as transfer.`)} className="rounded-md px-2.5 py-1 font-medium ring-1 ring-stone-300 bg-white disabled:opacity-50">
            Mark as transfer
          </button>
          <button
            type="button"
            disabled={pending}
            onClick={() => {
              if (confirm(`Hide ${ids.length} transaction${ids.length === 1 ? "" : "s"}? They stay hidden after every sync.`)) run({ hide: true }, (n) => `${n} hidden.`);
            }}
            className="rounded-md px-2.5 py-1 font-medium text-red-700 ring-1 ring-stone-300 bg-white disabled:opacity-50"
          >
            Hide
          </button>
          <button type="button" onClick={onDone} className="ml-auto text-stone-600 underline">
            Clear selection
          </button>
        </>
      )}
      {message && (
        <p role={message.error ? "alert" : "status"} className={message.error ? "text-red-700" : "text-emerald-800"}>
          {message.text}
          {!ids.length && (
            <button type="button" className="ml-2 underline" onClick={() => setMessage(null)}>
              Dismiss
            </button>
          )}
        </p>
      )}
    </div>
  );
}
