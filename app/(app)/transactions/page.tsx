import type { Metadata } from "next";
import { getDb } from "@/db";
import { requireUser } from "@/lib/auth/current-user";
import { listTransactions } from "@/lib/transactions/query";
import { TransactionList } from "@/components/transactions/transaction-list";
import { PageHeader } from "@/components/ui/card";
import { LinkFirstBank } from "@/components/ui/empty-state";

export const metadata: Metadata = { title: "Transactions" };

export default async function TransactionsPage() {
  const user = await requireUser();
  const { rows } = await listTransactions(await getDb(), { userId: user.id, limit: 100 });
  return (
    <>
      <PageHeader title="Transactions" description="The latest activity across all accounts." />
      {rows.length === 0 ? <LinkFirstBank /> : <TransactionList rows={rows} />}
    </>
  );
}
