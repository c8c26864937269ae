import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db";
import { listAccounts } from "@/lib/accounts/query";
import { expiringConsents } from "@/lib/connections/service";
import { requireUser } from "@/lib/auth/current-user";
import { formatMoney } from "@/lib/format/money";
import { overview, periodStart, PERIODS, type Period } from "@/lib/reports/overview";
import { AccountsList } from "@/components/accounts/accounts-list";
import { CashflowChart, CategoryChart, NetWorthChart } from "@/components/charts/overview-charts";
import { Card, PageHeader } from "@/components/ui/card";
import { LinkFirstBank } from "@/components/ui/empty-state";
import { WealthOverview, amountsMode, hasManualAccounts, wealthOverviewData } from "@/components/wealth/overview-section";

export const metadata: Metadata = { title: "Overview" };

const PERIOD_LABELS: Record<Period, string> = { "3m": "3 months", "1y": "1 year", all: "All time" };

export default async function OverviewPage({ searchParams }: { searchParams: Promise<{ period?: string; amounts?: string }> }) {
  const user = await requireUser();
  const db = await getDb();
  const { period: rawPeriod, amounts } = await searchParams;
  const mode = amountsMode(amounts);
  const period: Period = rawPeriod && rawPeriod in PERIODS ? (rawPeriod as Period) : "1y";
  const accounts = await listAccounts(db, { userId: user.id });
  if (accounts.length === 0 && !(await hasManualAccounts(db, user.id)))
    return (
      <>
        <PageHeader title="Overview" description="Balances, cash flow and spending across every linked account." />
        <LinkFirstBank />
      </>
    );

  const expiring = await expiringConsents(db, { userId: user.id });
  const today = new Date().toISOString().slice(0, 10);
  const from = periodStart(period, today);
  const base = user.baseCurrency;
  // Converted (default): every amount in the base currency at its own date's ECB rate; "native" keeps currencies apart.
  const wealth = await wealthOverviewData(db, { userId: user.id, base, from, today, mode });
  const data = wealth.converted ?? (await overview(db, { userId: user.id, filters: { from } }));
  const otherCurrencies = mode === "native" ? [...new Set(accounts.map((a) => a.currency))].filter((c) => c !== base) : [];
  const plot = (s: string) => Number(s); // plotting only; totals shown as text stay decimal strings

  return (
    <>
      <PageHeader
        title="Overview"
        description="Balances, cash flow and spending across every linked account."
        actions={
          <nav aria-label="Period" className="flex gap-1 rounded-lg bg-stone-100 p-1 text-sm">
            {(Object.keys(PERIODS) as Period[]).map((p) => (
              <Link key={p} href={p === "1y" ? "/" : `/?period=${p}`} aria-current={p === period ? "page" : undefined} className={`rounded-md px-3 py-1 ${p === period ? "bg-white shadow-sm" : "text-stone-600"}`}>
                {PERIOD_LABELS[p]}
              </Link>
            ))}
          </nav>
        }
      />
      {expiring.map((c) => (
        <p key={c.id} role="alert" className="mb-4 rounded-lg bg-amber-50 px-4 py-2 text-sm text-amber-900">
          Your bank consent for <strong>{c.displayName}</strong> {c.consentExpiresAt! < new Date() ? "has expired" : `ends on ${c.consentExpiresAt!.toISOString().slice(0, 10)}`}.{" "}
          <Link href="/connections" className="font-medium underline">
            Renew it
          </Link>{" "}
          to keep syncing.
        </p>
      ))}
      <WealthOverview data={wealth} base={base} period={period} />
      {otherCurrencies.length > 0 && (
        <p className="mb-4 rounded-lg bg-sky-50 px-4 py-2 text-sm text-sky-900" role="note">
          Native amounts: charts are in {base}; accounts in {otherCurrencies.join(", ")} are <strong>not converted</strong> and their totals are listed separately below.
        </p>
      )}
      <div className="grid gap-6 lg:grid-cols-2">
        <Card className="lg:col-span-2">
          <NetWorthChart currency={base} data={data.netWorth.filter((r) => r.currency === base).map((r) => ({ date: r.date, total: plot(r.total) }))} />
        </Card>
        <Card>
          <CashflowChart currency={base} data={data.cashflow.filter((r) => r.currency === base).map((r) => ({ month: r.month, moneyIn: plot(r.moneyIn), moneyOut: plot(r.moneyOut) }))} />
        </Card>
        <Card>
          <CategoryChart currency={base} data={data.categories.filter((r) => r.currency === base).map((r) => ({ category: r.category, spent: plot(r.spent) }))} />
        </Card>
        <Card title="Top merchants">
          <ol className="divide-y divide-stone-100 text-sm" data-testid="top-merchants">
            {data.merchants.map((m) => (
              <li key={`${m.merchant}|${m.currency}`} className="flex justify-between gap-3 py-1.5">
                <span>
                  {m.merchant} <span className="text-xs text-stone-500">×{m.count}</span>
                </span>
                <span className="tabular font-medium">{formatMoney(m.spent, m.currency)}</span>
              </li>
            ))}
          </ol>
        </Card>
        <Card title="Fees paid">
          {data.fees.length === 0 ? (
            <p className="text-sm text-stone-500">No fees in this period. 🎉</p>
          ) : (
            <ul className="space-y-1 text-sm" data-testid="fees">
              {data.fees.map((f) => (
                <li key={f.currency} className="flex justify-between">
                  <span>
                    {f.count} fee{f.count === 1 ? "" : "s"} in {f.currency}
                  </span>
                  <span className="tabular font-medium text-red-700">{formatMoney(f.total, f.currency)}</span>
                </li>
              ))}
            </ul>
          )}
          {otherCurrencies.length > 0 && (
            <div className="mt-4 border-t border-stone-100 pt-3 text-sm">
              <div className="mb-1 text-xs font-semibold uppercase tracking-wide text-stone-500">Not converted</div>
              {otherCurrencies.map((c) => {
                const latest = [...data.netWorth].reverse().find((r) => r.currency === c);
                return (
                  <div key={c} className="flex justify-between">
                    <span>Balances in {c}</span>
                    <span className="tabular font-medium">{latest ? formatMoney(latest.total, c) : "—"}</span>
                  </div>
                );
              })}
            </div>
          )}
        </Card>
        <Card title="Accounts" className="lg:col-span-2">
          <AccountsList accounts={accounts} />
        </Card>
      </div>
    </>
  );
}
