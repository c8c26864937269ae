import type { Metadata } from "next";
import { getDb } from "@/db";
import { listAccounts } from "@/lib/accounts/query";
import { requireUser } from "@/lib/auth/current-user";
import { AccountsList } from "@/components/accounts/accounts-list";
import { Card, PageHeader } from "@/components/ui/card";
import { LinkFirstBank } from "@/components/ui/empty-state";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  const user = await requireUser();
  const accounts = await listAccounts(await getDb(), { userId: user.id });
  return (
    <>
      <PageHeader title="Overview" description="Balances across every linked account." />
      {accounts.length === 0 ? (
        <LinkFirstBank />
      ) : (
        <Card title="Accounts">
          <AccountsList accounts={accounts} />
        </Card>
      )}
    </>
  );
}
