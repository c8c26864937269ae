import { todayUtc } from "@/lib/dates";
import type { Metadata } from "next";
import { auditForeignIds, idsIn } from "@/lib/audit/denied";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/db";
import { requireUser } from "@/lib/auth/current-user";
import { formatDate, formatMoney } from "@/lib/format";
import { KIND_LABELS, type ManualKind } from "@/lib/wealth/kinds";
import { getManualAccount, manualTransactionList, valuationHistory } from "@/lib/wealth/manual";
import { ArchiveButton, ManualAccountForm, ManualTransactionForm, ValuationForm, ValuationRowActions } from "@/components/wealth/forms";
import { Card, PageHeader } from "@/components/ui/card";

export const metadata: Metadata = { title: "Manual account" };

export default async function ManualAccountPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const db = await getDb();
  const { id } = await params;
  const account = await getManualAccount(db, { userId: user.id, id });
  if (!account) {
    await auditForeignIds(db, { userId: user.id, ids: idsIn(id) });
    notFound();
  }
  const today = todayUtc();
  const [valuations, txs] = await Promise.all([
    valuationHistory(db, { userId: user.id, accountId: id }),
    account.kind === "cash" ? manualTransactionList(db, { userId: user.id, accountId: id }) : Promise.resolve([]),
  ]);
  const holding = account.kind === "crypto" || account.kind === "investment";
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/wealth" className="text-brand-700 hover:underline">
          ← Net worth
        </Link>
      </p>
      <PageHeader
        title={account.name}
        description={`${KIND_LABELS[account.kind as ManualKind] ?? account.kind} · ${account.currency}${account.archivedAt ? " · archived" : ""}`}
        actions={<ArchiveButton id={account.id} archived={account.archivedAt !== null} />}
      />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Record a valuation">
          <ValuationForm accountId={account.id} today={today} holding={holding} />
        </Card>
        <Card title="Valuation history">
          {valuations.length === 0 ? (
            <p className="text-sm text-stone-500">No valuation yet: it doesn&apos;t count in your net worth until it has one.</p>
          ) : (
            <ul className="divide-y divide-stone-100 text-sm" data-testid="valuations">
              {valuations.map((v) => (
                <li key={v.id} className="py-1.5">
                  <div className="flex justify-between gap-3">
                    <span>{formatDate(v.date)}</span>
                    <span className="tabular">
                      {v.quantity && v.unitPrice && (
                        <span className="mr-2 text-xs text-stone-500">
                          {v.quantity.replace(/\.?0+$/, "")} × {v.unitPrice.replace(/\.?0+$/, "")}
                        </span>
                      )}
                      <span className="font-medium">{formatMoney(v.value, account.currency)}</span>
                    </span>
                  </div>
                  <ValuationRowActions accountId={account.id} today={today} valuation={{ id: v.id, date: v.date, value: v.value, quantity: v.quantity, unitPrice: v.unitPrice }} />
                </li>
              ))}
            </ul>
          )}
        </Card>
        {account.kind === "cash" && (
          <>
            <Card title="Add a transaction">
              <ManualTransactionForm accountId={account.id} today={today} />
            </Card>
            <Card title="Transactions">
              {txs.length === 0 ? (
                <p className="text-sm text-stone-500">No transactions. They add to the last valuation before them.</p>
              ) : (
                <ul className="divide-y divide-stone-100 text-sm">
                  {txs.map((t) => (
                    <li key={t.id} className="flex justify-between gap-3 py-1.5">
                      <span>
                        {formatDate(t.date)} {t.description}
                      </span>
                      <span className="tabular font-medium">{formatMoney(t.amount, account.currency, { signed: true })}</span>
                    </li>
                  ))}
                </ul>
              )}
            </Card>
          </>
        )}
        <Card title="Edit">
          <ManualAccountForm baseCurrency={user.baseCurrency} initial={account} />
        </Card>
      </div>
    </>
  );
}
