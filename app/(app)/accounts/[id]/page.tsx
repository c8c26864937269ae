import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getDb } from "@/db";
import { balanceHistory, getAccount } from "@/lib/accounts/query";
import { requireUser } from "@/lib/auth/current-user";
import { formatMoney } from "@/lib/format/money";
import { NetWorthChart } from "@/components/charts/overview-charts";
import { TransactionsView } from "@/components/transactions/transactions-view";
import { Card, PageHeader } from "@/components/ui/card";

export const metadata: Metadata = { title: "Account" };

export default async function AccountPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requireUser();
  const db = await getDb();
  const { id } = await params;
  const account = await getAccount(db, { userId: user.id, id });
  if (!account) notFound(); // another user's account looks exactly like a missing one
  const history = await balanceHistory(db, { userId: user.id, accountId: account.id });
  return (
    <>
      <PageHeader
        title={account.name}
        description={[account.institutionName, account.subtype ?? account.type, account.mask && `•••• ${account.mask}`, account.iban, account.currency].filter(Boolean).join(" · ")}
        actions={
          <div className="text-right">
            <div className="text-xs uppercase tracking-wide text-stone-400">Current balance</div>
            <div className="tabular text-2xl font-semibold">{formatMoney(account.currentBalance, account.currency)}</div>
          </div>
        }
      />
      <Card className="mb-6">
        <NetWorthChart title={`Balance history (${account.currency})`} currency={account.currency} data={history.map((h) => ({ date: h.date, total: Number(h.current ?? "0") }))} />
      </Card>
      <TransactionsView db={db} userId={user.id} searchParams={await searchParams} basePath={`/accounts/${account.id}`} fixedAccount={account.id} />
    </>
  );
}
