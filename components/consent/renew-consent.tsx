import { startConsentAction } from "@/lib/actions/start-consent";
import { Button } from "@/components/ui/button";

/** Renew a consent: a new guided session that keeps the same connection, accounts and history. */
export function RenewConsent({ skillCode, connectionId }: { skillCode: string; connectionId: string }) {
  const renew = async (fd: FormData) => {
    "use server";
    await startConsentAction(undefined, fd);
  };
  return (
    <form action={renew}>
      <input type="hidden" name="skillCode" value={skillCode} />
      <input type="hidden" name="renewConnectionId" value={connectionId} />
      <Button type="submit" variant="secondary">
        Renew consent
      </Button>
    </form>
  );
}
