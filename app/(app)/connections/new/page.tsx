import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/current-user";
import { availableConnectorIds, getConnector, isConnectorId } from "@/lib/connectors/registry";
import { FormLink } from "@/components/connect/form-link";
import { SimplefinLinkHelp } from "@/components/connect/simplefin-link";
import { PlaidLinkFlow } from "@/components/connect/plaid-link";
import type { TellerConnector } from "@/lib/connectors/teller/connector";
import { TellerConnectFlow } from "@/components/connect/teller-connect";
import { BankCatalogue } from "@/components/consent/bank-catalogue";
import { searchCatalog } from "@/lib/consent/catalog";
import { getDb } from "@/db";

async function Catalogue({ q, country }: { q?: string; country?: string }) {
  const db = await getDb();
  const [banks, all] = await Promise.all([searchCatalog(db, { q, country: country || undefined }), searchCatalog(db, {})]);
  return <BankCatalogue banks={banks} q={q} country={country} countries={[...new Set(all.map((b) => b.country ?? ""))].filter(Boolean).sort()} />;
}

const tellerProps = (t: TellerConnector) => ({ applicationId: t.applicationId, environment: t.mode === "emulator" ? ("sandbox" as const) : t.mode, emulator: t.mode === "emulator" });
import { Card, PageHeader } from "@/components/ui/card";

export const metadata: Metadata = { title: "Link a bank" };

export default async function NewConnectionPage({ searchParams }: { searchParams: Promise<{ connector?: string; q?: string; country?: string }> }) {
  await requireUser();
  const { connector: chosen, q, country } = await searchParams;
  const ids = availableConnectorIds();
  const connectors = ids.map((id) => getConnector(id));
  const selected = chosen && isConnectorId(chosen) && ids.includes(chosen) ? getConnector(chosen) : connectors[0];
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
              <div className="text-xs text-stone-600">{c.description}</div>
            </Link>
          ))}
        </nav>
        {selected ? (
          <Card title={`Link with ${selected.displayName}`}>
            {selected.link.kind === "form" && (selected.id === "demo" || selected.id === "ebank") ? (
              <FormLink connectorId={selected.id} fields={selected.link.fields} />
            ) : selected.link.kind === "form" && selected.id === "simplefin" ? (
              <SimplefinLinkHelp>
                <FormLink connectorId="simplefin" fields={selected.link.fields} />
              </SimplefinLinkHelp>
            ) : selected.link.kind === "widget" && selected.link.widget === "plaid_link" ? (
              <PlaidLinkFlow emulator={getConnector("plaid").mode === "emulator"} />
            ) : selected.link.kind === "widget" && selected.link.widget === "teller_connect" ? (
              <TellerConnectFlow {...tellerProps(getConnector("teller"))} />
            ) : selected.link.kind === "consent_session" ? (
              <Catalogue q={typeof q === "string" ? q.slice(0, 100) : undefined} country={typeof country === "string" ? country.slice(0, 2) : undefined} />
            ) : selected.link.kind === "file_upload" ? (
              <p className="text-sm">
                Statement files need no login.{" "}
                <Link href="/connections/import" className="font-medium text-brand-700 underline">
                  Import a statement
                </Link>
              </p>
            ) : (
              <p className="text-sm text-stone-500">This provider&apos;s link flow is not available yet.</p>
            )}
          </Card>
        ) : (
          <p className="text-sm text-stone-500">
            {connectors.length
              ? "Choose a provider on the left."
              : "No bank provider is configured on this server yet. An administrator can add Plaid keys (PLAID_CLIENT_ID, PLAID_SECRET) or a Teller certificate, or start the offline sandbox with LEDGERLINK_SANDBOX=on."}
          </p>
        )}
      </div>
    </>
  );
}
