import { todayUtc } from "@/lib/dates";
import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db";
import { requireUser } from "@/lib/auth/current-user";
import { ratesStatus } from "@/lib/fx/rates";
import { formatDate, formatMoney } from "@/lib/format";
import { KIND_LABELS, type ManualKind } from "@/lib/wealth/kinds";
import { listManualAccounts } from "@/lib/wealth/manual";
import { netWorthReport } from "@/lib/wealth/net-worth";
import { isoDate } from "@/lib/wealth/schemas";
import { NetWorthPanel } from "@/components/wealth/net-worth-panel";
import { AccountChangesTable, MonthChanges } from "@/components/wealth/changes";
import { accountChanges, monthChanges } from "@/lib/wealth/changes";
import { ImportValuationsForm, ManualAccountForm } from "@/components/wealth/forms";
import { Card, PageHeader } from "@/components/ui/card";

export const metadata: Metadata = { title: "Net worth" };

export default async function WealthPage({ searchParams }: { searchParams: Promise<{ since?: string; archived?: string }> }) {
  const user = await requireUser();
  const db = await getDb();
  const sp = await searchParams;
  const today = todayUtc();
  const since = sp.since && isoDate.safeParse(sp.since).success && sp.since < today ? sp.since : undefined;
  const [report, manual, rates, month, perAccount] = await Promise.all([
    netWorthReport(db, { userId: user.id, base: user.baseCurrency, today, from: since }),
    listManualAccounts(db, { userId: user.id, includeArchived: sp.archived === "1" }),
    ratesStatus(db),
    monthChanges(db, { userId: user.id, base: user.baseCurrency, today }),
    accountChanges(db, { userId: user.id, base: user.baseCurrency, today, since }),
  ]);
  return (
    <>
      <PageHeader title="Net worth" description="Linked accounts and everything you track by hand — a house, a car, cash, crypto, loans — in one currency." />
      {rates.lastDate === null && (
        <p role="status" className="mb-4 rounded-lg bg-sky-50 px-4 py-2 text-sm text-sky-900">
          Exchange rates are being loaded (ECB history); figures in other currencies will appear in a moment.
        </p>
      )}
      <NetWorthPanel report={report} lastRateDate={rates.lastDate} />
      <form className="mt-4 flex flex-wrap items-end gap-2 text-sm" aria-label="Change since a date">
        <label htmlFor="since" className="text-stone-700">
          Change since
        </label>
        <input id="since" name="since" type="date" max={today} defaultValue={since} className="rounded-md border border-stone-300 px-2 py-1" />
        <button className="rounded-md px-3 py-1 ring-1 ring-stone-300">Show</button>
        {report.changes.since && (
          <span className="tabular" data-testid="change-since">
            {formatMoney(report.changes.since.change, report.base, { signed: true })}
            {report.changes.since.percent !== null && ` (${report.changes.since.percent}%)`} since {formatDate(report.changes.since.from)}
          </span>
        )}
      </form>
      {month.accounts.length > 0 && (
        <div className="mt-6 grid gap-6 lg:grid-cols-2">
          <MonthChanges data={month} />
          <AccountChangesTable rows={perAccount} base={report.base} since={since} />
        </div>
      )}
      <div className="mt-6 grid gap-6 lg:grid-cols-2">
        <Card
          title="Manual accounts and assets"
          actions={
            <Link href={sp.archived === "1" ? "/wealth" : "/wealth?archived=1"} className="text-sm text-brand-700 hover:underline">
              {sp.archived === "1" ? "Hide archived" : "Show archived"}
            </Link>
          }
        >
          {manual.length === 0 ? (
            <p className="text-sm text-stone-500">Nothing yet. Add a property, a car, cash, crypto or a loan below, or import a CSV.</p>
          ) : (
            <ul className="divide-y divide-stone-100 text-sm" data-testid="manual-accounts">
              {manual.map((m) => (
                <li key={m.id} className="flex items-center justify-between gap-3 py-2">
                  <div className="min-w-0">
                    <Link href={`/wealth/${m.id}`} className="font-medium hover:underline">
                      {m.name}
                    </Link>
                    <div className="text-xs text-stone-500">
                      {KIND_LABELS[m.kind as ManualKind] ?? m.kind} · {m.currency}
                      {m.archivedAt && " · archived"}
                    </div>
                  </div>
                  <div className="text-right">
                    <div className="tabular font-medium">{m.latestValue ? formatMoney(m.latestValue, m.currency) : "no valuation"}</div>
                    {m.latestDate && <div className="text-xs text-stone-500">{formatDate(m.latestDate)}</div>}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="Add an account or asset">
          <ManualAccountForm baseCurrency={user.baseCurrency} />
        </Card>
        <Card title="Import valuations (CSV)" className="lg:col-span-2">
          <ImportValuationsForm />
        </Card>
      </div>
    </>
  );
}
