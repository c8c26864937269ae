"use client";

import Script from "next/script";
import { useEffect, useState, useTransition } from "react";
import { useTellerConnect } from "teller-connect-react";
import { useReconnect } from "@/components/connections/use-reconnect";
import { prepareLinkStepAction } from "@/lib/actions/prepare-link-step";
import type { ConnectorId } from "@/lib/connectors/registry";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/ui/field";
import { ImportStatus, useLinkAndImport } from "./link-and-import";

type Enrollment = { accessToken: string; user: { id: string }; enrollment: { id: string; institution: { name: string } }; signatures?: string[] };

/**
 * Teller Connect with teller-connect-react. With a Teller certificate configured the hook
 * loads Teller's CDN script; in emulator mode a local stand-in with the same
 * TellerConnect.setup API is loaded first. With `enrollmentId`, Connect repairs that
 * enrollment in place (reconnect). Before opening, the server issues a one-time nonce;
 * Connect signs it into the enrollment, and the server stores nothing unless Teller's
 * signature verifies.
 */
export function TellerConnectFlow({
  connectorId,
  applicationId,
  environment,
  emulator,
  connectionId,
  enrollmentId,
  institutionName,
  label = "Connect with Teller",
}: {
  connectorId: ConnectorId;
  applicationId: string;
  environment: "sandbox" | "development" | "production";
  emulator: boolean;
  connectionId?: string;
  enrollmentId?: string;
  institutionName?: string;
  label?: string;
}) {
  const reconnect = useReconnect(connectionId ?? "");
  const [scriptReady, setScriptReady] = useState(!emulator || (typeof window !== "undefined" && Boolean((window as { TellerConnect?: unknown }).TellerConnect)));
  const [opening, setOpening] = useState(false);
  const [nonce, setNonce] = useState<string | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const [pending, start] = useTransition();
  const { phase, run, linkAndImport } = useLinkAndImport();

  const onSuccess = (enrollment: Enrollment) => {
    setOpening(false);
    const signed = { ...enrollment, nonce } as unknown as Record<string, unknown>;
    setNonce(null);
    start(async () => {
      if (connectionId) {
        const r = await reconnect(signed);
        if (r.ok) setMessage(r.message);
        else setError(r.message);
        return;
      }
      const r = await linkAndImport(connectorId, signed);
      if (r.error) setError(r.error);
    });
  };

  if (phase.step !== "idle") return <ImportStatus phase={phase} run={run} />;
  return (
    <div className="space-y-3">
      {emulator && <Script src="/sandbox/teller-connect-standin.js" strategy="afterInteractive" onReady={() => setScriptReady(true)} />}
      <FormError message={error} />
      {message && (
        <p role="status" className="text-sm text-stone-600">
          {message}
        </p>
      )}
      <Button
        onClick={() =>
          start(async () => {
            setError(undefined);
            setMessage(undefined);
            const r = await prepareLinkStepAction(undefined, { connectorId, reconnectConnectionId: connectionId });
            if (r.status !== "success" || r.data.widget !== "teller_connect") return setError(r.status === "error" ? r.message : "Could not start Teller Connect.");
            setNonce(r.data.nonce);
            setOpening(true);
          })
        }
        disabled={pending || !scriptReady || opening}
      >
        {pending ? "Working…" : label}
      </Button>
      {opening && scriptReady && nonce && (
        <OpenConnect
          options={{ applicationId, environment, enrollmentId, nonce, ...({ institutionName } as object), onSuccess, onExit: () => { setOpening(false); setNonce(null); setMessage("Teller Connect was closed before finishing. Nothing was linked."); } }}
        />
      )}
      {emulator && !connectionId && <p className="text-xs text-stone-500">Local Teller sandbox: username / password; otp (code 0000) and challenge (answer blue) add a verification step.</p>}
    </div>
  );
}

function OpenConnect({ options }: { options: Parameters<typeof useTellerConnect>[0] }) {
  const { open, ready } = useTellerConnect(options);
  useEffect(() => {
    if (ready) open();
  }, [ready, open]);
  return null;
}
