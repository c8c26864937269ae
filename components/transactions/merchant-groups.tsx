import { formatMoney, isNegative } from "@/lib/format/money";

type Group = { merchant: string; currency: string; count: number; total: string; lastDate: string };

export function MerchantGroups({ groups }: { groups: Group[] }) {
  return (
    <div className="overflow-x-auto rounded-xl border border-stone-200 bg-white">
      <table className="w-full text-sm" data-testid="merchant-groups">
        <thead className="bg-stone-50 text-left text-xs uppercase tracking-wide text-stone-500">
          <tr>
            <th scope="col" className="px-4 py-2 font-medium">Merchant</th>
            <th scope="col" className="px-4 py-2 text-right font-medium">Transactions</th>
            <th scope="col" className="px-4 py-2 font-medium">Last</th>
            <th scope="col" className="px-4 py-2 text-right font-medium">Total</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-stone-100">
          {groups.map((g) => (
            <tr key={`${g.merchant}|${g.currency}`}>
              <td className="px-4 py-2 font-medium">{g.merchant}</td>
              <td className="tabular px-4 py-2 text-right">{g.count.toLocaleString("en-US")}</td>
              <td className="px-4 py-2 text-stone-500">{g.lastDate}</td>
              <td className={`tabular px-4 py-2 text-right font-medium ${isNegative(g.total) ? "" : "text-emerald-700"}`}>{formatMoney(g.total, g.currency, { signed: true })}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
