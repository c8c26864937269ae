import { StartConsentButton } from "./start-consent-button";

/** Renew a consent: a new guided session that keeps the same connection, accounts and history. */
export function RenewConsent({ skillCode, connectionId }: { skillCode: string; connectionId: string }) {
  return <StartConsentButton skillCode={skillCode} renewConnectionId={connectionId} label="Renew consent" variant="secondary" />;
}
