import type { Metadata } from "next";
import { getDb } from "@/db";
import { requireUser } from "@/lib/auth/current-user";
import { CONSENT_WARNING_DAYS, listConnections, listSyncRuns } from "@/lib/connections/service";
import { formatDateTime, providerLabel } from "@/lib/format";
import { addDaysToInstant } from "@/lib/dates";
import { connectionAccounts } from "@/lib/connections/names";
import { ConnectionAccountList } from "@/components/connections/arrived-accounts";
import { RenameForm } from "@/components/connections/rename-form";
import { DisconnectButton } from "@/components/connections/disconnect-button";
import { RefreshButton } from "@/components/connections/refresh-button";
import { RunHistory } from "@/components/connections/run-history";
import { syncQueueState } from "@/lib/jobs";
import { appJobs } from "@/lib/jobs/app";
import { connectorOrNull } from "@/lib/connectors/registry";
import { ReconnectStep } from "@/components/connect/link-step";
import { RenewConsent } from "@/components/consent/renew-consent";
import { manualRefreshBlock, requestBudgets } from "@/lib/sync/budget";
import { RequestBudgetPanel } from "@/components/connections/request-budget";
import { StatusBadge } from "@/components/connections/status-badge";
import { ButtonLink } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/card";
import { LinkFirstBank } from "@/components/ui/empty-state";
import { ProviderNotesPanel } from "@/components/connections/provider-notes";
import { providerNotes } from "@/lib/connections/provider-notes";

export const metadata: Metadata = { title: "Connections" };

export default async function ConnectionsPage() {
  const user = await requireUser();
  const db = await getDb();
  const list = await listConnections(db, { userId: user.id });
  const [runs, accounts, limits, budgets] = await Promise.all([
    Promise.all(list.map((c) => listSyncRuns(db, { userId: user.id, connectionId: c.id, limit: 8 }))),
    connectionAccounts(db, { userId: user.id }),
    Promise.all(list.map((c) => (c.status !== "disconnected" && c.status !== "reauth_required" ? manualRefreshBlock(db, { userId: user.id, connectionId: c.id }, connectorOrNull) : null))),
    // Today's request budget of every connection whose provider counts requests (planRequests).
    requestBudgets(db, { userId: user.id }, connectorOrNull),
  ]);
  // The queue's view: when the next attempt starts, and sync jobs that failed outside a run.
  const jobs = await appJobs();
  const queue = await Promise.all(list.map((c) => syncQueueState(jobs, c.id)));
  // What providers last said besides the data (messages, account warnings, holdings).
  const notes = await providerNotes(db, { userId: user.id, connectorIds: list.map((c) => c.connectorId) }, connectorOrNull);
  return (
    <>
      <PageHeader
        title="Connections"
        description="Banks and providers you have linked, and how their syncs went."
        actions={
          <>
            <ButtonLink href="/connections/import" variant="secondary">
              Import a statement
            </ButtonLink>
            <ButtonLink href="/connections/new">Link a bank</ButtonLink>
          </>
        }
      />
      {list.length === 0 ? (
        <LinkFirstBank />
      ) : (
        <ul className="space-y-4">
          {list.map((c, i) => (
            <li key={c.id} id={`connection-${c.id}`} className="scroll-mt-4 rounded-xl border border-stone-200 bg-white shadow-sm" data-testid="connection">
              <div className="flex flex-wrap items-start justify-between gap-4 p-5">
                <div className="min-w-0 space-y-1">
                  <div className="flex flex-wrap items-center gap-2">
                    <h2 className="text-base font-semibold" data-testid="connection-name">
                      {c.displayName}
                    </h2>
                    <StatusBadge status={c.status} />
                    <RenameForm kind="connection" id={c.id} name={c.displayName} label={c.displayName} />
                  </div>
                  <p className="text-sm text-stone-600" data-testid="connection-provider">
                    {c.institutionName && c.institutionName !== c.displayName ? `${c.institutionName} · ` : ""}via {providerLabel(c.connectorId)}
                  </p>
                  <dl className="grid grid-cols-[auto_1fr] gap-x-3 text-sm text-stone-600">
                    <dt className="text-stone-500">Accounts</dt>
                    <dd>{c.accountCount}</dd>
                    <dt className="text-stone-500">Last successful sync</dt>
                    <dd>{c.lastSyncedAt ? formatDateTime(c.lastSyncedAt) : "Never"}</dd>
                    {c.consentExpiresAt && (
                      <>
                        <dt className="text-stone-500">Consent valid until</dt>
                        <dd data-testid="consent-expiry">{formatDateTime(c.consentExpiresAt)}</dd>
                      </>
                    )}
                    <dt className="text-stone-500">Next scheduled sync</dt>
                    <dd>
                      {c.status === "disconnected" || c.status === "reauth_required"
                        ? "—"
                        : connectorOrNull(c.connectorId)?.capabilities.schedule === "manual"
                          ? "None: import a statement to add to it"
                          : connectorOrNull(c.connectorId)?.capabilities.schedule === "interactive"
                            ? "None: refreshed when you ask"
                            : c.nextSyncAt
                              ? formatDateTime(c.nextSyncAt)
                              : "After the first import"}
                    </dd>
                  </dl>
                </div>
                {c.status !== "disconnected" && (
                  <div className="flex items-start gap-2">
                    {c.skillCode && c.status !== "reauth_required" && <RenewConsent skillCode={c.skillCode} connectionId={c.id} />}
                    <RefreshButton connectionId={c.id} disabled={c.status === "reauth_required"} limit={limits[i]?.message} />
                    <DisconnectButton connectionId={c.id} name={c.displayName} />
                  </div>
                )}
              </div>
              {c.status === "reauth_required" && (
                <div role="alert" className="flex flex-wrap items-center justify-between gap-3 border-t border-amber-200 bg-amber-50 px-5 py-3 text-sm text-amber-900">
                  <span>{c.lastErrorMessage ?? "The bank needs you to sign in again."}</span>
                  <ReconnectStep step={connectorOrNull(c.connectorId)?.reconnect ?? { kind: "confirm" }} connection={{ id: c.id, connectorId: c.connectorId, providerItemId: c.providerItemId, institutionName: c.institutionName, skillCode: c.skillCode }} />
                </div>
              )}
              {c.consentExpiresAt && c.status !== "reauth_required" && consentEndsSoon(c.consentExpiresAt) && (
                <div role="alert" className="border-t border-amber-200 bg-amber-50 px-5 py-3 text-sm text-amber-900">
                  Your consent with {c.displayName} ends {formatDateTime(c.consentExpiresAt)}. Renew it to keep syncing; your history stays.
                </div>
              )}
              {c.status === "error" && c.lastErrorMessage && (
                <div role="alert" className="border-t border-red-200 bg-red-50 px-5 py-3 text-sm text-red-800">
                  {c.lastErrorMessage}
                  {c.retryAt && <> Next attempt after {formatDateTime(c.retryAt)}.</>}
                </div>
              )}
              {c.status === "active" && c.lastErrorMessage && (
                <div role="status" className="border-t border-amber-200 bg-amber-50 px-5 py-3 text-sm text-amber-900">
                  The last sync was incomplete: {c.lastErrorMessage}
                </div>
              )}
              {budgets.get(c.id) && <RequestBudgetPanel budget={budgets.get(c.id)!} />}
              {notes.get(c.id) && <ProviderNotesPanel notes={notes.get(c.id)!} />}
              <div className="border-t border-stone-100 px-5 py-2">
                <ConnectionAccountList accounts={accounts.filter((a) => a.connectionId === c.id)} />
              </div>
              <details className="border-t border-stone-100 px-5 py-3">
                <summary className="cursor-pointer text-sm font-medium text-stone-600">Sync history</summary>
                <div className="mt-2">
                  <RunHistory runs={runs[i]!} retryAt={queue[i]!.nextAt ?? c.retryAt ?? (c.status === "error" ? c.nextSyncAt : null)} failedJob={queue[i]!.failedJob} />
                </div>
              </details>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** A consent that ends within the warning period (read per request, outside the render body). */
function consentEndsSoon(expiresAt: Date): boolean {
  return expiresAt.getTime() < addDaysToInstant(Date.now(), CONSENT_WARNING_DAYS).getTime();
}
