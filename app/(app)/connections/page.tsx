import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/current-user";
import { PageHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";

export const metadata: Metadata = { title: "Connections" };

export default async function ConnectionsPage() {
  await requireUser();
  return (
    <>
      <PageHeader title="Connections" description="Banks and providers you have linked." />
      <EmptyState title="No connections yet" description="Linking is coming next." />
    </>
  );
}
