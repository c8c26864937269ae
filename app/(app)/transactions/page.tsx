import type { Metadata } from "next";
import { getDb } from "@/db";
import { requireUser } from "@/lib/auth/current-user";
import { TransactionsView } from "@/components/transactions/transactions-view";
import { PageHeader } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { DetectTransfersButton } from "@/components/transactions/detect-transfers-button";

export const metadata: Metadata = { title: "Transactions" };

export default async function TransactionsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser();
  return (
    <>
      <PageHeader
        title="Transactions"
        description="Every transaction from every linked account — filter any date range, no 30-day limit."
        actions={
          <>
            <DetectTransfersButton />
            <ButtonLink href="/transactions/rules" variant="secondary">
              Rules
            </ButtonLink>
          </>
        }
      />
      <TransactionsView db={await getDb()} userId={user.id} searchParams={await searchParams} basePath="/transactions" />
    </>
  );
}
