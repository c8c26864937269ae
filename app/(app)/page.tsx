import { todayUtc } from "@/lib/dates";
import type { Metadata } from "next";
import { InvalidFilters } from "@/components/transactions/invalid-filters";
import Link from "next/link";
import { getDb } from "@/db";
import { listAccounts } from "@/lib/accounts/query";
import { listConnections } from "@/lib/connections/service";
import { connectionsNeedingAttention } from "@/lib/connections/attention";
import { requireUser } from "@/lib/auth/current-user";
import { formatDate, formatDateRange, formatMoney } from "@/lib/format";
import { overview } from "@/lib/reports/overview";
import { bucketStarts, bucketRange, bucketUnitFor, drill, transactionsHref, type ChartFilters } from "@/lib/reports/buckets";
import { firstActivityDate, overviewFilters, overviewHref, periodLinks } from "@/lib/reports/overview-filters";
import { AccountsList } from "@/components/accounts/accounts-list";
import { BarList, CashflowChart, NetWorthChart, plot } from "@/components/charts/charts";
import { Card, PageHeader } from "@/components/ui/card";
import { LinkFirstBank } from "@/components/ui/empty-state";
import { WealthOverview, amountsMode, hasManualAccounts, wealthOverviewData } from "@/components/wealth/overview-section";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser();
  const db = await getDb();
  const { amounts, ...rawFilters } = await searchParams;
  const mode = amountsMode(typeof amounts === "string" ? amounts : undefined);
  const accounts = await listAccounts(db, { userId: user.id });
  if (accounts.length === 0 && !(await hasManualAccounts(db, user.id)))
    return (
      <>
        <PageHeader title="Overview" description="Balances, cash flow and spending across every linked account." />
        <LinkFirstBank />
      </>
    );

  const today = todayUtc();
  const connections = await listConnections(db, { userId: user.id });
  const attention = connectionsNeedingAttention(connections, { formatDate: (d) => formatDate(d.toISOString()) });
  const attentionBox =
    attention.length > 0 ? (
      <section aria-labelledby="attention-title" className="mb-6 rounded-xl border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950" data-testid="attention">
        <h2 id="attention-title" className="mb-2 font-semibold">
          {attention.length === 1 ? "A connection needs your attention" : `${attention.length} connections need your attention`}
        </h2>
        <ul className="space-y-1.5">
          {attention.map((a) => (
            <li key={a.id + a.kind} className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1" data-kind={a.kind}>
              <span>
                <strong>{a.name}</strong> — {a.message}
              </span>
              <Link href={`/connections#connection-${a.id}`} className="font-medium underline">
                {a.action}
              </Link>
            </li>
          ))}
        </ul>
      </section>
    ) : null;

  // The charts take THE transaction filter (the table's, the API's, the export's) from the URL.
  const parsed = overviewFilters(rawFilters, today);
  if (!parsed.ok)
    return (
      <>
        <PageHeader title="Overview" description="Balances, cash flow and spending across every linked account." />
        {attentionBox}
        <InvalidFilters what="Some filters in this link are not valid, so nothing is shown rather than the wrong figures:" fieldErrors={parsed.fieldErrors} href="/" linkLabel="Back to the Overview" />
      </>
    );
  const f: ChartFilters = parsed.filters;
  const first = (await firstActivityDate(db, user.id)) ?? today;
  const from = f.from ?? first;
  const to = f.to ?? today;
  const unit = bucketUnitFor(from, to);
  const base = user.baseCurrency;
  // Converted (default): every amount in the base currency at its own date's ECB rate; "native" keeps currencies apart.
  const wealth = await wealthOverviewData(db, { userId: user.id, base, filters: f, today, mode, unit });
  const data = wealth.converted ?? (await overview(db, { userId: user.id, filters: f, unit }));
  const otherCurrencies = [...new Set(accounts.map((a) => a.currency))].filter((c) => c !== base);
  const range = { from, to };

  // Cash flow: every bucket of the period (an empty week is a gap, not a missing bar).
  const byBucket = new Map(data.cashflow.filter((r) => r.currency === base).map((r) => [r.bucket, r]));
  const cashflow = bucketStarts(unit, from, to).map((start) => {
    const r = byBucket.get(start);
    const moneyIn = r?.moneyIn ?? "0";
    const moneyOut = r?.moneyOut ?? "0";
    return {
      start,
      moneyIn: plot(moneyIn),
      moneyOut: plot(moneyOut),
      inText: formatMoney(moneyIn, base),
      outText: formatMoney(moneyOut, base),
      inHref: drill.bucket({ ...f, ...range }, unit, start, "in"),
      outHref: drill.bucket({ ...f, ...range }, unit, start, "out"),
    };
  });
  const series = data.netWorth.filter((r) => r.currency === base && r.date >= from && r.date <= to);
  const bands = bucketStarts(unit, from, to).map((start) => {
    const r = bucketRange(unit, start, range);
    return { ...r, href: drill.bucket({ ...f, ...range }, unit, start), label: `Transactions ${formatDateRange(r.from, r.to)}` };
  });

  return (
    <>
      <PageHeader
        title="Overview"
        description="Balances, cash flow and spending across every linked account."
        actions={
          <nav aria-label="Period" className="flex flex-wrap gap-1 rounded-lg bg-stone-100 p-1 text-sm">
            {periodLinks(f, today, first).map((p) => (
              <Link key={p.label} href={overviewHref(p.filters, mode)} aria-current={p.current ? "page" : undefined} className={`rounded-md px-3 py-1 ${p.current ? "bg-white shadow-sm" : "text-stone-700"}`}>
                {p.label}
              </Link>
            ))}
          </nav>
        }
      />
      {attentionBox}
      <WealthOverview data={wealth} base={base} filters={f} />
      <FilterLine filters={f} from={from} to={to} mode={mode} />
      {otherCurrencies.length > 0 && (
        <p className="mb-4 rounded-lg bg-sky-50 px-4 py-2 text-sm text-sky-900" role="note">
          {mode === "native" ? (
            <>
              Native amounts: charts are in {base}; accounts in {otherCurrencies.join(", ")} are <strong>not converted</strong> and their totals are listed separately below.
            </>
          ) : (
            <>Charts convert {otherCurrencies.join(", ")} into {base}; the transaction table totals each currency on its own.</>
          )}
        </p>
      )}
      <div className="grid gap-6 lg:grid-cols-2">
        <Card className="lg:col-span-2">
          <NetWorthChart
            currency={base}
            data={series.map((r) => ({ date: r.date, total: plot(r.total), label: formatMoney(r.total, base) }))}
            bands={bands}
          />
        </Card>
        <Card>
          <CashflowChart currency={base} unit={unit} data={cashflow} />
        </Card>
        <Card>
          <BarList
            title={`Spending by category (${base})`}
            testId="chart-categories"
            empty="No spending in this period."
            data={data.categories
              .filter((r) => r.currency === base)
              .map((r) => ({
                key: r.category,
                label: r.category,
                value: plot(r.spent),
                text: formatMoney(r.spent, base),
                // Rows with no category have no filter value to link to.
                href: drill.category({ ...f, ...range }, r.category),
              }))}
          />
        </Card>
        <Card title="Top merchants">
          <ol className="divide-y divide-stone-100 text-sm" data-testid="top-merchants">
            {data.merchants.map((m) => (
              <li key={`${m.merchant}|${m.currency}`}>
                <Link href={drill.merchant({ ...f, ...range }, m.merchant)} className="flex justify-between gap-3 rounded-md px-1 py-1.5 hover:bg-stone-50" data-amount={m.spent} data-currency={m.currency}>
                  <span className="min-w-0 truncate">
                    {m.merchant} <span className="text-xs text-stone-500">×{m.count}</span>
                  </span>
                  <span className="tabular shrink-0 font-medium">{formatMoney(m.spent, m.currency)}</span>
                </Link>
              </li>
            ))}
          </ol>
        </Card>
        <Card title="Fees paid">
          {data.fees.length === 0 ? (
            <p className="text-sm text-stone-500">No fees in this period.</p>
          ) : (
            <ul className="space-y-1 text-sm" data-testid="fees">
              {data.fees.map((f2) => (
                <li key={f2.currency}>
                  <Link href={drill.fees({ ...f, ...range })} className="flex justify-between rounded-md px-1 py-0.5 hover:bg-stone-50" data-amount={f2.total} data-currency={f2.currency}>
                    <span>
                      {f2.count} fee{f2.count === 1 ? "" : "s"} in {f2.currency}
                    </span>
                    <span className="tabular font-medium text-red-700">{formatMoney(f2.total, f2.currency)}</span>
                  </Link>
                </li>
              ))}
            </ul>
          )}
          {mode === "native" && otherCurrencies.length > 0 && (
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

/** What the figures count, in words, with the link to exactly those rows. */
function FilterLine({ filters: f, from, to, mode }: { filters: ChartFilters; from: string; to: string; mode: "converted" | "native" }) {
  const transfersOut = f.exclude_type?.includes("transfer");
  const toggled: ChartFilters = { ...f, exclude_type: transfersOut ? f.exclude_type!.filter((t) => t !== "transfer") : [...(f.exclude_type ?? []), "transfer"] };
  if (!toggled.from) toggled.from = from;
  return (
    <p className="mb-4 flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-stone-600" data-testid="overview-filter">
      <span>
        {formatDateRange(from, to)} · {transfersOut ? "transfers between your accounts left out" : "transfers included"}
      </span>
      <Link href={overviewHref(toggled, mode)} className="font-medium text-brand-700 underline">
        {transfersOut ? "Include transfers" : "Leave transfers out"}
      </Link>
      <Link href={transactionsHref({ ...f, from, to })} className="font-medium text-brand-700 underline">
        See these transactions
      </Link>
    </p>
  );
}
