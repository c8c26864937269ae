import type { Metadata } from "next";
import { auditForeignIds, idsIn } from "@/lib/audit/denied";
import { notFound } from "next/navigation";
import { getDb } from "@/db";
import { balanceHistory, getAccount, getAccountIdentity } from "@/lib/accounts/query";
import { requireUser } from "@/lib/auth/current-user";
import { accountTypeLabel, formatMoney } from "@/lib/format";
import { NetWorthChart } from "@/components/charts/charts";
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
  if (!account) {
    await auditForeignIds(db, { userId: user.id, ids: idsIn(id) }); // recorded in the asker's own trail
    notFound(); // another user's account looks exactly like a missing one
  }
  const [history, identity] = await Promise.all([balanceHistory(db, { userId: user.id, accountId: account.id }), getAccountIdentity(db, { userId: user.id, id: account.id })]);
  return (
    <>
      <PageHeader
        title={account.name}
        description={[account.institutionName, accountTypeLabel(account.type, account.subtype), account.mask && `•••• ${account.mask}`, account.iban, account.currency].filter(Boolean).join(" · ")}
        actions={
          <div className="text-right">
            <div className="text-xs uppercase tracking-wide text-stone-500">Current balance</div>
            <div className="tabular text-2xl font-semibold">{formatMoney(account.currentBalance, account.currency)}</div>
          </div>
        }
      />
      {identity && (
        <Card title="Account owner (from the bank)" className="mb-6">
          <dl className="grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[auto_1fr]" data-testid="identity">
            {(
              [
                ["Name", identity.names],
                ["Email", identity.emails],
                ["Phone", identity.phones],
                ["Address", identity.addresses],
              ] as const
            ).map(([k, v]) => (
              <div key={k} className="contents">
                <dt className="text-stone-500">{k}</dt>
                <dd>{v.length ? v.join("; ") : "—"}</dd>
              </div>
            ))}
          </dl>
        </Card>
      )}
      <Card className="mb-6">
        <NetWorthChart title={`Balance history (${account.currency})`} currency={account.currency} data={history.map((h) => ({ date: h.date, total: Number(h.current ?? "0"), label: formatMoney(h.current ?? "0", account.currency) }))} />
      </Card>
      <TransactionsView db={db} userId={user.id} searchParams={await searchParams} basePath={`/accounts/${account.id}`} fixedAccount={account.id} />
    </>
  );
}
