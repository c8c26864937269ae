import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/current-user";
import { availableConnectorIds, getConnector, isConnectorId } from "@/lib/connectors/registry";
import type { Connector } from "@/lib/connectors/contract";
import { LinkStep } from "@/components/connect/link-step";
import { Card, PageHeader } from "@/components/ui/card";

export const metadata: Metadata = { title: "Link a bank" };

const pick = (c: Connector) => ({ displayName: c.displayName, link: c.link });

export default async function NewConnectionPage({ searchParams }: { searchParams: Promise<{ connector?: string; q?: string; country?: string }> }) {
  await requireUser();
  const { connector: chosen, q, country } = await searchParams;
  const ids = availableConnectorIds();
  const connectors = ids.map((id) => getConnector(id));
  const selectedId = chosen && isConnectorId(chosen) && ids.includes(chosen) ? chosen : ids[0];
  const selected = selectedId ? { ...pick(getConnector(selectedId)), id: selectedId } : undefined;
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
            <LinkStep
              connectorId={selected.id}
              step={selected.link}
              search={{ q: typeof q === "string" ? q.slice(0, 100) : undefined, country: typeof country === "string" ? country.slice(0, 2) : undefined }}
            />
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
