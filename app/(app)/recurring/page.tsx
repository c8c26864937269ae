import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db";
import { requireUser } from "@/lib/auth/current-user";
import { PageHeader } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { formatDate, formatMoney } from "@/lib/format/money";
import { listRecurring, yearlyTotal, type Cadence } from "@/lib/transactions/recurring";

export const metadata: Metadata = { title: "Recurring" };

const CADENCE_LABEL: Record<Cadence, string> = { weekly: "Weekly", monthly: "Monthly", quarterly: "Quarterly", yearly: "Yearly" };

/** Subscriptions and bills found in the history (lib/transactions/recurring.ts). */
export default async function RecurringPage() {
  const user = await requireUser();
  const items = await listRecurring(await getDb(), { userId: user.id });
  const { total, unconverted } = yearlyTotal(items);
  const base = items[0]?.baseCurrency ?? user.baseCurrency;
  return (
    <>
      <PageHeader title="Recurring" description="Subscriptions and bills found in your history: same merchant, similar amount, a regular interval." />
      {!items.length ? (
        <EmptyState title="No recurring payments found yet" description="They appear once a merchant has been paid at a regular interval (weekly, monthly, quarterly or yearly) a few times." />
      ) : (
        <div className="space-y-4">
          <div className="flex flex-wrap items-baseline gap-x-6 gap-y-1 rounded-xl border border-stone-200 bg-white px-4 py-3 text-sm" data-testid="recurring-summary">
            <span>
              <span className="text-stone-600">Recurring payments</span> <strong data-testid="recurring-count">{items.length}</strong>
            </span>
            <span>
              <span className="text-stone-600">A year</span>{" "}
              <strong className="tabular" data-testid="recurring-yearly-total" data-amount={total}>
                {formatMoney(total, base)}
              </strong>
              {unconverted > 0 && <span className="text-stone-600"> (+{unconverted} without an exchange rate)</span>}
            </span>
          </div>
          <ul className="divide-y divide-stone-100 rounded-xl border border-stone-200 bg-white" data-testid="recurring-list">
            {items.map((i) => (
              <li key={`${i.merchant}|${i.currency}`} className="grid gap-2 px-4 py-3 text-sm md:grid-cols-[minmax(0,2fr)_1fr_1fr_1fr] md:items-center" data-testid="recurring-item" data-merchant={i.merchant}>
                <div className="min-w-0">
                  <Link href={`/transactions?q=${encodeURIComponent(i.merchant)}&direction=out`} className="font-medium text-brand-700 hover:underline">
                    {i.merchant}
                  </Link>
                  <div className="flex flex-wrap items-center gap-1.5 text-xs text-stone-600">
                    <span>{CADENCE_LABEL[i.cadence]}</span>
                    <span aria-hidden>·</span>
                    <span className="truncate">{i.accountName}</span>
                    {i.status === "missed" && <Badge tone="red">Missed</Badge>}
                    {i.amountChanged && (
                      <Badge tone="amber">
                        Changed from {formatMoney(i.previousAmount, i.currency)}
                      </Badge>
                    )}
                  </div>
                </div>
                <div>
                  <div className="text-xs text-stone-600">Last</div>
                  <span className="tabular" data-testid="recurring-last" data-amount={i.lastAmount}>
                    {formatMoney(i.lastAmount, i.currency)}
                  </span>{" "}
                  <span className="text-stone-600">on {formatDate(i.lastDate)}</span>
                </div>
                <div>
                  <div className="text-xs text-stone-600">{i.status === "missed" ? "Was expected" : "Next expected"}</div>
                  <span data-testid="recurring-next">{formatDate(i.nextDate)}</span>
                </div>
                <div className="md:text-right">
                  <div className="text-xs text-stone-600">A year</div>
                  <span className="tabular font-medium" data-testid="recurring-yearly" data-amount={i.yearlyCost}>
                    {formatMoney(i.yearlyCost, i.currency)}
                  </span>
                  {i.currency !== i.baseCurrency && (
                    <div className="text-xs text-stone-600">{i.yearlyCostBase === null ? "no exchange rate" : `≈ ${formatMoney(i.yearlyCostBase, i.baseCurrency)}`}</div>
                  )}
                </div>
              </li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}
