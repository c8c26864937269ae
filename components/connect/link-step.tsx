import Link from "next/link";
import type { LinkStrategy, ReconnectStrategy, WidgetStep } from "@/lib/connectors/contract";
import { isConnectorId, type ConnectorId } from "@/lib/connectors/registry";
import { searchCatalog } from "@/lib/consent/catalog";
import { getDb } from "@/db";
import { BankCatalogue } from "@/components/consent/bank-catalogue";
import { RenewConsent } from "@/components/consent/renew-consent";
import { ReconnectButton } from "@/components/connections/reconnect-button";
import { FormHelp } from "./form-help";
import { FormLink } from "./form-link";
import { PlaidLinkFlow } from "./plaid-link";
import { ReconnectForm } from "./reconnect-form";
import { TellerConnectFlow } from "./teller-connect";

/**
 * The one place a link step becomes UI: by its kind, and a widget by its widget name —
 * never by connector id. Whatever a step's UI needs (the emulator switch, Teller's
 * application id…) travels in the step the connector declared.
 */
export function LinkStep({ connectorId, step, search }: { connectorId: ConnectorId; step: LinkStrategy; search?: { q?: string; country?: string } }) {
  switch (step.kind) {
    case "widget":
      return <Widget connectorId={connectorId} step={step} />;
    case "form":
      return (
        <FormHelp help={step.help}>
          <FormLink connectorId={connectorId} fields={step.fields} />
        </FormHelp>
      );
    case "consent_session":
      return <Catalogue connectorId={connectorId} q={search?.q} country={search?.country} />;
    case "file_upload":
      return (
        <p className="text-sm">
          Statement files need no login.{" "}
          <Link href="/connections/import" className="font-medium text-brand-700 underline">
            Import a statement
          </Link>
        </p>
      );
    default: {
      const unreachable: never = step;
      throw new Error(`unknown link step ${JSON.stringify(unreachable)}`);
    }
  }
}

/** What Reconnect needs from the stored connection. */
export type ReconnectTarget = { id: string; connectorId: string; providerItemId: string | null; institutionName: string | null; skillCode: string | null };

/** The repair step of a connection that needs the user (reauth_required), by kind. */
export function ReconnectStep({ step, connection }: { step: ReconnectStrategy; connection: ReconnectTarget }) {
  switch (step.kind) {
    case "widget":
      // A widget step only comes from a known connector (the registry), so the id is one of ours.
      return isConnectorId(connection.connectorId) ? <Widget connectorId={connection.connectorId} step={step} reconnect={connection} /> : null;
    case "form":
      return <ReconnectForm connectionId={connection.id} fields={step.fields} label={step.label} />;
    case "consent_session":
      return <RenewConsent skillCode={connection.skillCode ?? ""} connectionId={connection.id} />;
    case "confirm":
      return <ReconnectButton connectionId={connection.id} />;
    default: {
      const unreachable: never = step;
      throw new Error(`unknown reconnect step ${JSON.stringify(unreachable)}`);
    }
  }
}

/** A provider widget, by widget name; it asks the server for its start data (prepareLinkStepAction) each time it opens. */
function Widget({ connectorId, step, reconnect }: { connectorId: ConnectorId; step: WidgetStep; reconnect?: ReconnectTarget }) {
  const emulator = step.emulator ?? false;
  switch (step.widget) {
    case "plaid_link":
      return reconnect ? <PlaidLinkFlow connectorId={connectorId} emulator={emulator} connectionId={reconnect.id} label="Reconnect" /> : <PlaidLinkFlow connectorId={connectorId} emulator={emulator} />;
    case "teller_connect": {
      const props = { connectorId, applicationId: step.applicationId ?? "", environment: step.environment ?? "sandbox", emulator };
      return reconnect ? (
        <TellerConnectFlow {...props} connectionId={reconnect.id} enrollmentId={reconnect.providerItemId ?? undefined} institutionName={reconnect.institutionName ?? undefined} label="Reconnect" />
      ) : (
        <TellerConnectFlow {...props} />
      );
    }
    default: {
      const unreachable: never = step;
      throw new Error(`unknown widget ${JSON.stringify(unreachable)}`);
    }
  }
}

async function Catalogue({ connectorId, q, country }: { connectorId: ConnectorId; q?: string; country?: string }) {
  const db = await getDb();
  const [banks, all] = await Promise.all([searchCatalog(db, { connectorId, q, country: country || undefined }), searchCatalog(db, { connectorId })]);
  return <BankCatalogue connectorId={connectorId} banks={banks} q={q} country={country} countries={[...new Set(all.map((b) => b.country ?? ""))].filter(Boolean).sort()} />;
}
