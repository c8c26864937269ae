"use client";

import type { ColumnDef } from "@tanstack/react-table";
import type { TransactionRow } from "@/lib/transactions/query";
import { formatDate, formatMoney, isNegative } from "@/lib/format";
import { Badge } from "@/components/ui/badge";
import { CategoryPicker } from "./category-picker";

/** Columns of the transaction table. Sorting is server-side: `sortKey` names the filter's sort. */
export type ColumnMeta = { sortKey?: "date" | "amount" | "merchant"; align?: "right"; /** Folded into the description cell below `md`. */ desktopOnly?: boolean };

export const columns: ColumnDef<TransactionRow>[] = [
  {
    id: "select",
    header: ({ table }) => (
      <input
        type="checkbox"
        aria-label="Select all on this page"
        className="h-4 w-4 align-middle"
        checked={table.getIsAllPageRowsSelected()}
        ref={(el) => {
          if (el) el.indeterminate = table.getIsSomePageRowsSelected();
        }}
        onChange={table.getToggleAllPageRowsSelectedHandler()}
      />
    ),
    cell: ({ row }) => (
      <input
        type="checkbox"
        aria-label={`Select ${row.original.merchant ?? row.original.description}`}
        className="h-4 w-4 align-middle"
        checked={row.getIsSelected()}
        onClick={(e) => e.stopPropagation()}
        onChange={row.getToggleSelectedHandler()}
      />
    ),
  },
  {
    id: "date",
    header: "Date",
    meta: { sortKey: "date", desktopOnly: true } satisfies ColumnMeta,
    cell: ({ row }) => <span className="whitespace-nowrap text-stone-600">{formatDate(row.original.date)}</span>,
  },
  {
    id: "merchant",
    header: "Description",
    meta: { sortKey: "merchant" } satisfies ColumnMeta,
    cell: ({ row }) => {
      const t = row.original;
      return (
        <div>
          <button
            type="button"
            aria-expanded={row.getIsExpanded()}
            onClick={(e) => {
              e.stopPropagation();
              row.toggleExpanded();
            }}
            className="text-left font-medium hover:underline focus-visible:outline-2 focus-visible:outline-brand-600"
          >
            {t.merchant ?? t.description}
          </button>
          {t.pending && (
            <span className="ml-2">
              <Badge tone="amber">pending</Badge>
            </span>
          )}
          {t.merchant && t.merchant !== t.description && <div className="text-xs text-stone-500">{t.description}</div>}
          <div className="text-xs text-stone-500 md:hidden" data-testid="row-meta">
            {formatDate(t.date)} · <span data-testid="row-account">{t.accountName}</span>
          </div>
        </div>
      );
    },
  },
  {
    id: "category",
    header: "Category",
    meta: { desktopOnly: true } satisfies ColumnMeta,
    cell: ({ row }) => (
      <CategoryPicker id={row.original.id} value={row.original.category} edited={row.original.userEditedFields.includes("category")} />
    ),
  },
  {
    id: "account",
    header: "Account",
    meta: { desktopOnly: true } satisfies ColumnMeta,
    cell: ({ row }) => <span className="text-stone-600">{row.original.accountName}</span>,
  },
  {
    id: "amount",
    header: "Amount",
    meta: { sortKey: "amount", align: "right" } satisfies ColumnMeta,
    cell: ({ row }) => {
      const t = row.original;
      return (
        <span className={`tabular whitespace-nowrap font-medium ${isNegative(t.amount) ? "text-stone-900" : "text-emerald-700"}`} data-amount={t.amount}>
          {formatMoney(t.amount, t.currency, { signed: true })}
        </span>
      );
    },
  },
];
