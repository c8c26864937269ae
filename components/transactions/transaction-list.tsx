import type { TransactionListItem } from "@/lib/transactions/query";
import { formatDate, formatMoney, isNegative } from "@/lib/format/money";
import { Badge } from "@/components/ui/badge";

export function TransactionList({ rows }: { rows: TransactionListItem[] }) {
  return (
    <div className="overflow-x-auto rounded-xl border border-stone-200 bg-white">
      <table className="w-full text-sm" data-testid="transactions-table">
        <thead className="bg-stone-50 text-left text-xs uppercase tracking-wide text-stone-500">
          <tr>
            <th scope="col" className="px-4 py-2 font-medium">Date</th>
            <th scope="col" className="px-4 py-2 font-medium">Description</th>
            <th scope="col" className="px-4 py-2 font-medium">Category</th>
            <th scope="col" className="px-4 py-2 font-medium">Account</th>
            <th scope="col" className="px-4 py-2 text-right font-medium">Amount</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-stone-100">
          {rows.map((t) => (
            <tr key={t.id}>
              <td className="whitespace-nowrap px-4 py-2 text-stone-600">{formatDate(t.date)}</td>
              <td className="px-4 py-2">
                <span className="font-medium">{t.merchant ?? t.description}</span>
                {t.pending && <span className="ml-2"><Badge tone="amber">pending</Badge></span>}
                {t.merchant && t.merchant !== t.description && <div className="text-xs text-stone-500">{t.description}</div>}
              </td>
              <td className="px-4 py-2 text-stone-600">{t.category ?? "—"}</td>
              <td className="px-4 py-2 text-stone-600">{t.accountName}</td>
              <td className={`tabular whitespace-nowrap px-4 py-2 text-right font-medium ${isNegative(t.amount) ? "text-stone-900" : "text-emerald-700"}`}>
                {formatMoney(t.amount, t.currency, { signed: true })}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
