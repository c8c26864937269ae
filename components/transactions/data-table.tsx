"use client";

import { flexRender, getCoreRowModel, getExpandedRowModel, useReactTable } from "@tanstack/react-table";
import Link from "next/link";
import { Fragment } from "react";
import type { TransactionRow } from "@/lib/transactions/query";
import { columns, type ColumnMeta } from "./columns";
import { EditableCell } from "./editable-cell";

/**
 * The transaction table: @tanstack/react-table for the row model, with filtering,
 * sorting and keyset paging done by the server (manual modes; state lives in the URL).
 */
export function DataTable({
  rows,
  sort,
  order,
  sortHref,
}: {
  rows: TransactionRow[];
  sort: string;
  order: "asc" | "desc";
  /** Link for sorting by a key (the server builds it so it keeps every filter). */
  sortHref: Record<"date" | "amount" | "merchant", string>;
}) {
  const table = useReactTable({
    data: rows,
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
  );
}

function RowDetail({ t }: { t: TransactionRow }) {
  return (
    <div className="grid gap-4 md:grid-cols-2" data-testid="row-detail">
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="text-stone-500">Posted</dt>
        <dd>{t.pending ? "Pending" : t.date}</dd>
        <dt className="text-stone-500">Authorized</dt>
        <dd>{t.authorizedDate ?? "—"}</dd>
        <dt className="text-stone-500 md:hidden">Category</dt>
        <dd className="md:hidden">
          <EditableCell id={t.id} field="category" value={t.category} edited={t.userEditedFields.includes("category")} placeholder="Uncategorised" />
        </dd>
        <dt className="text-stone-500 md:hidden">Account</dt>
        <dd className="md:hidden">{t.accountName}</dd>
        <dt className="text-stone-500">Type</dt>
        <dd>{t.type ?? "—"}</dd>
        <dt className="text-stone-500">Counterparty</dt>
        <dd>{t.counterparty ?? "—"}</dd>
        <dt className="text-stone-500">Note</dt>
        <dd>
          <EditableCell id={t.id} field="note" value={t.note} edited={t.userEditedFields.includes("note")} placeholder="Add a note" multiline />
        </dd>
      </dl>
      <div>
        <div className="mb-1 text-xs font-medium uppercase tracking-wide text-stone-500">Raw provider data</div>
        <details>
          <summary className="cursor-pointer text-xs text-stone-500">Show raw data</summary>
          <pre className="mt-1 max-h-64 overflow-auto rounded bg-stone-900 p-3 text-xs text-stone-100">{JSON.stringify(t.raw, null, 2)}</pre>
        </details>
      </div>
    </div>
  );
}
