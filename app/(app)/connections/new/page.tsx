import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/current-user";
import { CONNECTOR_IDS, getConnector, isConnectorId } from "@/lib/connectors/registry";
import { FormLink } from "@/components/connect/form-link";
import { PlaidLinkFlow } from "@/components/connect/plaid-link";
import type { PlaidConnector } from "@/lib/connectors/plaid/connector";
import type { TellerConnector } from "@/lib/connectors/teller/connector";
import { TellerConnectFlow } from "@/components/connect/teller-connect";

const tellerProps = (t: TellerConnector) => ({ applicationId: t.applicationId, environment: t.mode === "emulator" ? ("sandbox" as const) : t.mode, emulator: t.mode === "emulator" });
import { Card, PageHeader } from "@/components/ui/card";

export const metadata: Metadata = { title: "Link a bank" };

export default async function NewConnectionPage({ searchParams }: { searchParams: Promise<{ connector?: string }> }) {
  await requireUser();
  const { connector: chosen } = await searchParams;
  const connectors = CONNECTOR_IDS.map((id) => getConnector(id));
  const selected = chosen && isConnectorId(chosen) ? getConnector(chosen) : connectors[0]!;
  return (
    <>
      <PageHeader title="Link a bank" description="Choose how to connect. Ledgerlink stores provider secrets encrypted and never shows them again." />
      <div className="grid gap-6 lg:grid-cols-[18rem_1fr]">
        <nav aria-label="Providers" className="space-y-2">
          {connectors.map((c) => (
            <Link
              key={c.id}
              href={`/connections/new?connector=${c.id}`}
              aria-current={selected?.id === c.id ? "true" : undefined}
              className={`block rounded-lg border px-4 py-3 ${selected?.id === c.id ? "border-brand-500 bg-brand-50" : "border-stone-200 bg-white hover:border-stone-300"}`}
            >
              <div className="font-medium">{c.displayName}</div>
              <div className="text-xs text-stone-500">{c.description}</div>
            </Link>
          ))}
        </nav>
        {selected ? (
          <Card title={`Link with ${selected.displayName}`}>
            {selected.link.kind === "form" && selected.id === "demo" ? (
              <FormLink connectorId="demo" fields={selected.link.fields} />
            ) : selected.link.kind === "widget" && selected.link.widget === "plaid_link" ? (
              <PlaidLinkFlow emulator={(selected as PlaidConnector).mode === "emulator"} />
            ) : selected.link.kind === "widget" && selected.link.widget === "teller_connect" ? (
              <TellerConnectFlow {...tellerProps(selected as TellerConnector)} />
            ) : (
              <p className="text-sm text-stone-500">This provider&apos;s link flow is not available yet.</p>
            )}
          </Card>
        ) : (
          <p className="text-sm text-stone-500">Choose a provider on the left.</p>
        )}
      </div>
    </>
  );
}
