import { formatDateTime } from "@/lib/format";
import type { Metadata } from "next";
import { getDb } from "@/db";
import { requireUser } from "@/lib/auth/current-user";
import { listImports } from "@/lib/statements/import";
import { ImportFlow } from "@/components/statements/import-flow";
import { ImportHistory } from "@/components/statements/import-history";
import { Card, PageHeader } from "@/components/ui/card";

export const metadata: Metadata = { title: "Import a statement" };

export default async function ImportStatementPage() {
  const user = await requireUser();
  const imports = await listImports(await getDb(), { userId: user.id });
  return (
    <>
      <PageHeader title="Import a statement" description="Bring in history from any bank: upload the files it lets you download. You see a preview before anything is saved." />
      <div className="space-y-6">
        <ImportFlow />
        <Card title="Past imports">
          {imports.length === 0 ? (
            <p className="text-sm text-stone-600">No statement imported yet.</p>
          ) : (
            <ImportHistory imports={imports.map((i) => ({ ...i, createdAt: formatDateTime(i.createdAt), undoneAt: i.undoneAt ? formatDateTime(i.undoneAt) : null }))} />
          )}
        </Card>
      </div>
    </>
  );
}
