"use client";

import { useActionState } from "react";
import { startConsentAction } from "@/lib/actions/start-consent";
import { Button } from "@/components/ui/button";

/**
 * Start a guided consent (a new link, or the renewal of `renewConnectionId`). On success
 * the action redirects to the session's first screen; a refusal (the bank's side down, a
 * rate limit…) is shown here with the message the action wrapper mapped.
 */
export function StartConsentButton({ skillCode, renewConnectionId, label, ariaLabel, variant }: { skillCode: string; renewConnectionId?: string; label: string; ariaLabel?: string; variant?: "primary" | "secondary" }) {
  const [state, action, pending] = useActionState(startConsentAction, { status: "idle" });
  return (
    <form action={action} className="space-y-1">
      <input type="hidden" name="skillCode" value={skillCode} />
      {renewConnectionId && <input type="hidden" name="renewConnectionId" value={renewConnectionId} />}
      <Button type="submit" variant={variant} aria-label={ariaLabel} disabled={pending}>
        {label}
      </Button>
      {state.status === "error" && (
        <p role="alert" className="max-w-xs text-sm text-red-700">
          {state.message}
        </p>
      )}
    </form>
  );
}
