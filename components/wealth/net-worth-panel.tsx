import Link from "next/link";
import { formatDate, formatMoney, isNegative } from "@/lib/format";
import { ASSET_TYPE_LABELS } from "@/lib/wealth/kinds";
import { distribute, type Change, type netWorthReport } from "@/lib/wealth/net-worth";
import { FX_SOURCE_LABEL } from "@/lib/fx/rates";
import { BarList, NetWorthChart } from "@/components/charts/charts";
import { Card } from "@/components/ui/card";

type Report = Awaited<ReturnType<typeof netWorthReport>>;

function ChangeFigure({ label, change, currency }: { label: string; change: Change | null | undefined; currency: string }) {
  return (
    <div className="rounded-lg bg-stone-50 px-3 py-2">
      <div className="text-xs text-stone-500">{label}</div>
      {change ? (
        <div className={`tabular text-sm font-medium ${isNegative(change.change) ? "text-red-700" : "text-emerald-700"}`}>
          {formatMoney(change.change, currency, { signed: true })}
          {change.percent !== null && <span className="ml-1 text-xs">({change.percent.startsWith("-") ? "" : "+"}{change.percent}%)</span>}
        </div>
      ) : (
        <div className="text-sm text-stone-500">no history</div>
      )}
    </div>
  );
}

/** Rate and date behind a converted figure ("1 USD = 0.888731 EUR, rate of 9 May 2025"). */
export function RateNote({ currency, base, rate, rateDate, stale }: { currency: string; base: string; rate: string | null; rateDate: string | null; stale?: boolean }) {
  if (currency === base) return null;
  if (!rate || !rateDate) return <span className="text-xs text-amber-700">no {currency} rate — not converted</span>;
  return (
    <span className="text-xs text-stone-500" title={`ECB reference rate${stale ? " (latest known, carried forward)" : ""}`}>
      1 {currency} = {rate} {base}, rate of {formatDate(rateDate)}
    </span>
  );
}

/** Net worth: total, change, history and distribution (the wealth section; also embedded on the Overview). */
export function NetWorthPanel({ report, compact = false, lastRateDate }: { report: Report; compact?: boolean; lastRateDate: string | null }) {
  const base = report.base;
  const plot = (s: string) => Number(s); // plotting only
  const byType = distribute(report.accounts, (a) => a.assetType, (k) => ASSET_TYPE_LABELS[k] ?? k);
  const byAccount = distribute(report.accounts, (a) => a.name);
  const byInstitution = distribute(report.accounts, (a) => a.institution ?? (a.source === "manual" ? "Manual" : "—"));
  const byCurrency = distribute(report.accounts, (a) => a.currency);
  const stale = lastRateDate !== null && report.date > lastRateDate;
  return (
    <div className="space-y-6" data-testid="net-worth">
      <Card
        title="Net worth"
        actions={
          compact ? (
            <Link href="/wealth" className="text-sm font-medium text-brand-700 hover:underline">
              Details and manual assets
            </Link>
          ) : undefined
        }
      >
        <div className="flex flex-wrap items-end justify-between gap-4">
          <div>
            <div className="tabular text-3xl font-semibold" data-testid="net-worth-total">
              {formatMoney(report.total, base)}
            </div>
            <p className="mt-1 text-xs text-stone-500">
              Everything you own minus what you owe, in {base}, on {formatDate(report.date)}. {FX_SOURCE_LABEL}
              {stale && lastRateDate && <> — latest rates are of {formatDate(lastRateDate)} (carried forward)</>}.
            </p>
          </div>
          <div className="grid grid-cols-3 gap-2" data-testid="net-worth-changes">
            <ChangeFigure label="Day" change={report.changes.day} currency={base} />
            <ChangeFigure label="Month" change={report.changes.month} currency={base} />
            <ChangeFigure label="Year" change={report.changes.year} currency={base} />
          </div>
        </div>
        {report.unconverted.length > 0 && (
          <p role="note" className="mt-3 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
            Not included (no exchange rate): {report.unconverted.map((u) => `${u.name} (${u.currency})`).join(", ")}.
          </p>
        )}
        {!compact && (
          <div className="mt-4">
            <NetWorthChart currency={base} title={`Net worth per day (${base})`} data={report.series.map((p) => ({ date: p.date, total: plot(p.total), label: formatMoney(p.total, base) }))} />
          </div>
        )}
      </Card>
      {report.accounts.length > 0 && (
        <div className="grid gap-6 lg:grid-cols-2">
          <Card>
            <BarList title={`By asset type (${base})`} data={byType.map((s) => ({ key: s.key, label: s.label, value: plot(s.total), text: formatMoney(s.total, base) }))} testId="dist-type" />
          </Card>
          {!compact && (
            <>
              <Card>
                <BarList title={`By account (${base})`} data={byAccount.map((s) => ({ key: s.key, label: s.label, value: plot(s.total), text: formatMoney(s.total, base) }))} testId="dist-account" />
              </Card>
              <Card>
                <BarList title={`By institution (${base})`} data={byInstitution.map((s) => ({ key: s.key, label: s.label, value: plot(s.total), text: formatMoney(s.total, base) }))} testId="dist-institution" />
              </Card>
            </>
          )}
          <Card>
            <BarList title={`By currency (${base})`} data={byCurrency.map((s) => ({ key: s.key, label: s.label, value: plot(s.total), text: formatMoney(s.total, base) }))} testId="dist-currency" />
          </Card>
        </div>
      )}
      {!compact && (
        <Card title="Every account on this day">
          <ul className="divide-y divide-stone-100 text-sm" data-testid="net-worth-accounts">
            {report.accounts.map((a) => (
              <li key={a.key} className="flex flex-wrap items-center justify-between gap-x-4 gap-y-1 py-2">
                <div className="min-w-0">
                  <Link href={a.source === "manual" ? `/wealth/${a.id}` : `/accounts/${a.id}`} className="font-medium hover:underline">
                    {a.name}
                  </Link>
                  <div className="text-xs text-stone-500">
                    {ASSET_TYPE_LABELS[a.assetType]} · {a.source === "manual" ? "manual" : a.institution}
                  </div>
                </div>
                <div className="text-right">
                  <div className={`tabular font-medium ${isNegative(a.converted ?? a.native) ? "text-red-700" : ""}`}>
                    {a.converted !== null ? formatMoney(a.converted, base) : formatMoney(a.native, a.currency)}
                  </div>
                  {a.currency !== base && (
                    <div>
                      <span className="tabular text-xs text-stone-500">{formatMoney(a.native, a.currency)} · </span>
                      <RateNote currency={a.currency} base={base} rate={a.rate} rateDate={a.rateDate} stale={stale} />
                    </div>
                  )}
                </div>
              </li>
            ))}
          </ul>
        </Card>
      )}
    </div>
  );
}
