"use client";

import { useCallback, useEffect, useState } from "react";
import { getLinkedAccountsAction } from "@/lib/actions/get-linked-accounts";
import { linkConnectionAction } from "@/lib/actions/link-connection";
import type { ConnectorId } from "@/lib/connectors/registry";
import type { ArrivedAccount } from "@/lib/connections/names";
import { ConnectionAccountList } from "@/components/connections/arrived-accounts";
import { refreshConnectionAction } from "@/lib/actions/refresh-connection";
import { ButtonLink } from "@/components/ui/button";
import { progressText, useSyncProgress } from "@/components/connections/use-sync-progress";

export type LinkPhase = { step: "idle" } | { step: "importing"; connectionId: string } | { step: "done"; summary: string; ok: boolean; connectionId?: string };

/**
 * The second half of every link flow: store the connection (server action), then run
 * the first import with live progress and a result summary.
 */
export function useLinkAndImport() {
  const [phase, setPhase] = useState<LinkPhase>({ step: "idle" });
  const run = useSyncProgress(phase.step === "importing" ? phase.connectionId : null, phase.step === "importing");

  /** Returns an error message when linking was refused (nothing stored). */
  const linkAndImport = useCallback(
    async (connectorId: ConnectorId, payload: Record<string, unknown>): Promise<{ error?: string; fieldErrors?: Record<string, string[]> }> => {
      const linked = await linkConnectionAction(undefined, { connectorId, payload });
      if (linked.status !== "success") {
        return {
          error: linked.status === "error" ? linked.message : linked.status === "invalid" ? (linked.formError ?? "Please check the form.") : undefined,
          fieldErrors: linked.status === "invalid" ? linked.fieldErrors : undefined,
        };
      }
      const connectionId = linked.data.connectionId;
      setPhase({ step: "importing", connectionId });
      let r = await refreshConnectionAction(undefined, { connectionId, initial: true, jobId: linked.data.jobId ?? undefined });
      // A long first import (years of 30-day windows) outlasts one bounded wait: keep following
      // the same job (progress keeps showing) for up to ~15 minutes, then say it continues.
      for (let i = 0; i < 40 && r.status === "success" && r.data.outcome === "queued" && r.data.jobId && !r.data.code; i++) {
        r = await refreshConnectionAction(undefined, { connectionId, jobId: r.data.jobId });
      }
      if (r.status === "success" && r.data.outcome === "success") setPhase({ step: "done", ok: true, connectionId, summary: `First import finished: ${r.data.summary}.` });
      else if (r.status === "success" && r.data.outcome === "queued") setPhase({ step: "done", ok: true, connectionId, summary: `First import started: ${r.data.summary}` });
      else setPhase({ step: "done", ok: false, connectionId, summary: r.status === "success" ? r.data.summary : "The first import could not start." });
      return {};
    },
    [],
  );
  return { phase, run, linkAndImport };
}

export function ImportStatus({ phase, run }: { phase: LinkPhase; run: ReturnType<typeof useSyncProgress> }) {
  if (phase.step === "importing")
    return (
      <div role="status" aria-live="polite" className="flex items-center gap-3 rounded-lg bg-brand-50 px-4 py-3 text-sm text-brand-700">
        <span className="inline-block h-4 w-4 animate-spin rounded-full border-2 border-brand-600 border-t-transparent" aria-hidden />
        <span data-testid="import-progress">{progressText(run)}</span>
      </div>
    );
  if (phase.step === "done")
    return (
      <div className="space-y-4">
        <p role="status" className={`rounded-lg px-4 py-3 text-sm ${phase.ok ? "bg-emerald-50 text-emerald-800" : "bg-amber-50 text-amber-900"}`}>
          {phase.summary}
          {!phase.ok && " The connection was saved; you can retry from Connections."}
        </p>
        {phase.connectionId && <Arrived connectionId={phase.connectionId} />}
        <div className="flex flex-wrap gap-2">
          <ButtonLink href="/">Go to the Overview</ButtonLink>
          <ButtonLink href="/transactions" variant="secondary">
            See transactions
          </ButtonLink>
          <ButtonLink href="/connections" variant="secondary">
            Back to connections
          </ButtonLink>
        </div>
      </div>
    );
  return null;
}

/** Which accounts arrived: name, mask, balance and the dates their transactions cover. */
function Arrived({ connectionId }: { connectionId: string }) {
  const [accounts, setAccounts] = useState<ArrivedAccount[] | null>(null);
  useEffect(() => {
    let live = true;
    void getLinkedAccountsAction(undefined, { connectionId }).then((r) => live && setAccounts(r.status === "success" ? r.data : []));
    return () => {
      live = false;
    };
  }, [connectionId]);
  if (accounts === null) return <p className="text-sm text-stone-600">Loading the accounts that arrived…</p>;
  return (
    <section aria-labelledby="arrived-title" className="rounded-lg border border-stone-200 bg-white px-4 py-3" data-testid="arrived-accounts">
      <h2 id="arrived-title" className="text-sm font-semibold">
        {accounts.length === 1 ? "1 account arrived" : `${accounts.length} accounts arrived`}
      </h2>
      <ConnectionAccountList accounts={accounts} rename={false} />
    </section>
  );
}
