import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db";
import { requireUser } from "@/lib/auth/current-user";
import { listAccounts } from "@/lib/accounts/query";
import { listRules } from "@/lib/rules/rules";
import { listCategories } from "@/lib/transactions/query";
import { Card, PageHeader } from "@/components/ui/card";
import { RuleForm } from "@/components/rules/rule-form";
import { RuleList } from "@/components/rules/rule-list";

export const metadata: Metadata = { title: "Rules" };

export default async function RulesPage() {
  const user = await requireUser();
  const db = await getDb();
  const [rules, accounts, categories] = await Promise.all([listRules(db, user.id), listAccounts(db, { userId: user.id, includeHidden: true }), listCategories(db, { userId: user.id })]);
  const accountOptions = accounts.map((a) => ({ value: a.id, label: `${a.name} (${a.currency})` }));
  return (
    <>
      <PageHeader
        title="Rules"
        description="Categorise, rename, mark as transfer or hide transactions automatically — new ones as they sync, past ones when you ask."
        actions={
          <Link href="/transactions" className="text-sm font-medium text-brand-700 underline">
            Back to transactions
          </Link>
        }
      />
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
        <Card title="New rule">
          <RuleForm accounts={accountOptions} ownCategories={categories} />
        </Card>
        <Card title={`Your rules (${rules.length})`}>
          <RuleList rules={rules.map((r) => ({ ...r, accountName: accountOptions.find((a) => a.value === r.accountId)?.label ?? null, createdAt: r.createdAt.toISOString() }))} />
        </Card>
      </div>
    </>
  );
}
