"use client";

import type { ColumnDef } from "@tanstack/react-table";
import type { TransactionRow } from "@/lib/transactions/query";
import { formatDate, formatMoney, isNegative } from "@/lib/format/money";
import { Badge } from "@/components/ui/badge";
import { EditableCell } from "./editable-cell";

/** Columns of the transaction table. Sorting is server-side: `sortKey` names the filter's sort. */
export type ColumnMeta = { sortKey?: "date" | "amount" | "merchant"; align?: "right"; /** Folded into the description cell below `md`. */ desktopOnly?: boolean };

export const columns: ColumnDef<TransactionRow>[] = [
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
      <EditableCell id={row.original.id} field="category" value={row.original.category} edited={row.original.userEditedFields.includes("category")} placeholder="Uncategorised" />
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
