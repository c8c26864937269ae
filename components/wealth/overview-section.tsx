import Link from "next/link";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { FX_SOURCE_LABEL, ratesStatus } from "@/lib/fx/rates";
import { formatDate } from "@/lib/format/money";
import { overviewConverted } from "@/lib/reports/overview-converted";
import { netWorthReport } from "@/lib/wealth/net-worth";
import { NetWorthPanel } from "./net-worth-panel";

/**
 * The Overview's wealth section: net worth with its distribution, the converted /
 * native toggle and the FX source line. Kept in one component so the Overview page
 * only swaps its data source.
 */
export type AmountsMode = "converted" | "native";
export const amountsMode = (raw?: string): AmountsMode => (raw === "native" ? "native" : "converted");

export async function hasManualAccounts(db: Db, userId: string): Promise<boolean> {
  const [row] = rowsOf<{ x: boolean }>(await db.execute(sql`select exists(select 1 from manual_accounts where user_id = ${userId} and archived_at is null) as x`));
  return row?.x === true;
}

export async function wealthOverviewData(db: Db, { userId, base, from, today, mode }: { userId: string; base: string; from?: string; today: string; mode: AmountsMode }) {
  const [report, rates, converted] = await Promise.all([
    netWorthReport(db, { userId, base, today }),
    ratesStatus(db),
    mode === "converted" ? overviewConverted(db, { userId, base, filters: { from }, today }) : Promise.resolve(null),
  ]);
  return { report, rates, converted, mode };
}

export function WealthOverview({ data, base, period }: { data: Awaited<ReturnType<typeof wealthOverviewData>>; base: string; period: string }) {
  const q = (mode: AmountsMode) => {
    const p = new URLSearchParams();
    if (period !== "1y") p.set("period", period);
    if (mode === "native") p.set("amounts", "native");
    const s = p.toString();
    return s ? `/?${s}` : "/";
  };
  return (
    <div className="mb-6 space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3 text-sm">
        <nav aria-label="Amounts" className="flex gap-1 rounded-lg bg-stone-100 p-1">
          <Link href={q("converted")} aria-current={data.mode === "converted" ? "page" : undefined} className={`rounded-md px-3 py-1 ${data.mode === "converted" ? "bg-white shadow-sm" : "text-stone-600"}`}>
            In {base}
          </Link>
          <Link href={q("native")} aria-current={data.mode === "native" ? "page" : undefined} className={`rounded-md px-3 py-1 ${data.mode === "native" ? "bg-white shadow-sm" : "text-stone-600"}`}>
            Native amounts
          </Link>
        </nav>
        <p className="text-xs text-stone-500" data-testid="fx-source">
          {data.mode === "converted" ? `Converted at each day's rate. ${FX_SOURCE_LABEL}` : FX_SOURCE_LABEL}
          {data.rates.lastDate && ` · latest rates ${formatDate(data.rates.lastDate)}`}
          {data.converted && data.converted.unconverted > 0 && ` · ${data.converted.unconverted} transaction(s) without a rate left out`}
        </p>
      </div>
      <NetWorthPanel report={data.report} compact lastRateDate={data.rates.lastDate} />
    </div>
  );
}
