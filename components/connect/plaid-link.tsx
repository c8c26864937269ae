"use client";

import Script from "next/script";
import { useEffect, useState, useTransition } from "react";
import { usePlaidLink, type PlaidLinkOnExit, type PlaidLinkOnSuccess } from "react-plaid-link";
import { prepareLinkStepAction } from "@/lib/actions/prepare-link-step";
import type { ConnectorId } from "@/lib/connectors/registry";
import { useReconnect } from "@/components/connections/use-reconnect";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/ui/field";
import { ImportStatus, useLinkAndImport } from "./link-and-import";

/**
 * Plaid Link with react-plaid-link. With real keys the hook loads Plaid's CDN script; in
 * emulator mode we first load a local stand-in that exposes the same window.Plaid API,
 * so this component's code is identical in both modes.
 *
 * Each opening asks the server for a fresh link token (prepareLinkStepAction).
 * Without `connectionId`: link a new Item (exchange on the server, first import with
 * progress). With it: update mode (re-authentication); the access token stays the same,
 * so we only mark the connection repaired and sync from the saved cursor.
 */
export function PlaidLinkFlow({ connectorId, emulator, connectionId, label = "Connect with Plaid" }: { connectorId: ConnectorId; emulator: boolean; connectionId?: string; label?: string }) {
  const reconnect = useReconnect(connectionId ?? "");
  const [scriptReady, setScriptReady] = useState(!emulator || (typeof window !== "undefined" && Boolean((window as { Plaid?: unknown }).Plaid)));
  const [token, setToken] = useState<string | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const [pending, start] = useTransition();
  const { phase, run, linkAndImport } = useLinkAndImport();

  const begin = () =>
    start(async () => {
      setError(undefined);
      setMessage(undefined);
      const r = await prepareLinkStepAction(undefined, { connectorId, reconnectConnectionId: connectionId });
      if (r.status === "success" && r.data.widget === "plaid_link") setToken(r.data.linkToken);
      else setError(r.status === "error" ? r.message : "Could not start Plaid Link.");
    });

  const onSuccess: PlaidLinkOnSuccess = (publicToken, metadata) => {
    setToken(null);
    start(async () => {
      if (connectionId) {
        const r = await reconnect();
        if (r.ok) setMessage(r.message);
        else setError(r.message);
        return;
      }
      const r = await linkAndImport(connectorId, { public_token: publicToken, metadata: { institution: metadata.institution } });
      if (r.error) setError(r.error);
    });
  };
  const onExit: PlaidLinkOnExit = (err) => {
    setToken(null);
    if (err) setError(err.display_message ?? err.error_message ?? "Plaid Link closed with an error.");
    else setMessage("Plaid Link was closed before finishing. Nothing was linked.");
  };

  if (phase.step !== "idle") return <ImportStatus phase={phase} run={run} />;
  return (
    <div className="space-y-3">
      {emulator && <Script src="/sandbox/plaid-link-standin.js" strategy="afterInteractive" onReady={() => setScriptReady(true)} />}
      <FormError message={error} />
      {message && (
        <p role="status" className="text-sm text-stone-600">
          {message}
        </p>
      )}
      <Button onClick={begin} disabled={pending || !scriptReady || token !== null} variant={connectionId ? "primary" : "primary"}>
        {pending ? "Working…" : label}
      </Button>
      {token && scriptReady && <OpenLink token={token} onSuccess={onSuccess} onExit={onExit} />}
      {emulator && !connectionId && <p className="text-xs text-stone-500">Local Plaid sandbox: log in with user_good / pass_good, or user_transactions_dynamic for live updates.</p>}
    </div>
  );
}

/** Mounted once a link token exists: opens Link as soon as it is ready. */
function OpenLink({ token, onSuccess, onExit }: { token: string; onSuccess: PlaidLinkOnSuccess; onExit: PlaidLinkOnExit }) {
  const { open, ready } = usePlaidLink({ token, onSuccess, onExit });
  useEffect(() => {
    if (ready) open();
  }, [ready, open]);
  return null;
}
