import type { Metadata } from "next";
import { getDb } from "@/db";
import { listAccounts } from "@/lib/accounts/query";
import { requireUser } from "@/lib/auth/current-user";
import { AccountsList } from "@/components/accounts/accounts-list";
import { PageHeader } from "@/components/ui/card";
import { LinkFirstBank } from "@/components/ui/empty-state";

export const metadata: Metadata = { title: "Accounts" };

export default async function AccountsPage() {
  const user = await requireUser();
  const accounts = await listAccounts(await getDb(), { userId: user.id });
  return (
    <>
      <PageHeader title="Accounts" description="Every account from every linked bank." />
      {accounts.length === 0 ? <LinkFirstBank /> : <AccountsList accounts={accounts} />}
    </>
  );
}
