import { formatDate, formatMoney, isNegative } from "@/lib/format/money";
import type { AccountChanges, monthChanges } from "@/lib/wealth/changes";
import type { Change } from "@/lib/wealth/net-worth";
import { Card } from "@/components/ui/card";

type Month = Awaited<ReturnType<typeof monthChanges>>;

function Money({ value, currency }: { value: string | null; currency: string }) {
  if (value === null) return <span className="text-stone-400">no rate</span>;
  return <span className={`tabular ${isNegative(value) ? "text-red-700" : ""}`}>{formatMoney(value, currency, { signed: true })}</span>;
}

/** "What changed this month": per account, change = cash flow + revaluation + FX effect. */
export function MonthChanges({ data }: { data: Month }) {
  const base = data.base;
  return (
    <Card title="What changed this month">
      <p className="mb-2 text-xs text-stone-500">
        Since {formatDate(data.from)}, in {base}. Cash flow is money in and out; revaluation is value that changed without money moving (a new valuation, prices, interest);
        FX effect is what the exchange rate alone did to what the account held. Cash flow and revaluation at today&apos;s rate.
      </p>
      <div className="overflow-x-auto" tabIndex={0}>
        <table className="w-full text-sm" data-testid="month-changes">
          <thead>
            <tr className="text-left text-xs text-stone-500">
              <th className="py-1 font-medium">Account</th>
              <th className="py-1 text-right font-medium">Change</th>
              <th className="py-1 text-right font-medium">Cash flow</th>
              <th className="py-1 text-right font-medium">Revaluation</th>
              <th className="py-1 text-right font-medium">FX effect</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-stone-100">
            {data.accounts.map((a) => (
              <tr key={a.key}>
                <td className="py-1.5">
                  {a.name} <span className="text-xs text-stone-500">{a.currency}</span>
                </td>
                <td className="py-1.5 text-right font-medium"><Money value={a.change} currency={base} /></td>
                <td className="py-1.5 text-right"><Money value={a.cashFlow} currency={base} /></td>
                <td className="py-1.5 text-right"><Money value={a.revaluation} currency={base} /></td>
                <td className="py-1.5 text-right"><Money value={a.fx} currency={base} /></td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr className="border-t border-stone-300 font-medium">
              <td className="py-1.5">Total</td>
              <td className="py-1.5 text-right"><Money value={data.totals.change} currency={base} /></td>
              <td className="py-1.5 text-right"><Money value={data.totals.cashFlow} currency={base} /></td>
              <td className="py-1.5 text-right"><Money value={data.totals.revaluation} currency={base} /></td>
              <td className="py-1.5 text-right"><Money value={data.totals.fx} currency={base} /></td>
            </tr>
          </tfoot>
        </table>
      </div>
    </Card>
  );
}

function ChangeCell({ change, base }: { change: Change | null | undefined; base: string }) {
  if (!change) return <span className="text-stone-400">—</span>;
  return (
    <span className={`tabular ${isNegative(change.change) ? "text-red-700" : "text-emerald-700"}`}>
      {formatMoney(change.change, base, { signed: true })}
      {change.percent !== null && <span className="ml-1 text-xs">({change.percent.startsWith("-") ? "" : "+"}{change.percent}%)</span>}
    </span>
  );
}

/** Each account's change over a day, a month, a year (and since the chosen date). */
export function AccountChangesTable({ rows, base, since }: { rows: AccountChanges[]; base: string; since?: string }) {
  return (
    <Card title="Change by account">
      <div className="overflow-x-auto" tabIndex={0}>
        <table className="w-full text-sm" data-testid="account-changes">
          <thead>
            <tr className="text-left text-xs text-stone-500">
              <th className="py-1 font-medium">Account</th>
              <th className="py-1 text-right font-medium">Day</th>
              <th className="py-1 text-right font-medium">Month</th>
              <th className="py-1 text-right font-medium">Year</th>
              {since && <th className="py-1 text-right font-medium">Since {formatDate(since)}</th>}
            </tr>
          </thead>
          <tbody className="divide-y divide-stone-100">
            {rows.map((r) => (
              <tr key={r.key}>
                <td className="py-1.5">{r.name}</td>
                <td className="py-1.5 text-right"><ChangeCell change={r.day} base={base} /></td>
                <td className="py-1.5 text-right"><ChangeCell change={r.month} base={base} /></td>
                <td className="py-1.5 text-right"><ChangeCell change={r.year} base={base} /></td>
                {since && <td className="py-1.5 text-right"><ChangeCell change={r.since} base={base} /></td>}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
