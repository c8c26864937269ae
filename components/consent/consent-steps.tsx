"use client";

import { useEffect, useState, useTransition } from "react";
import { consentStateAction } from "@/lib/actions/consent-state";
import { refreshConnectionAction } from "@/lib/actions/refresh-connection";
import { submitConsentAction } from "@/lib/actions/submit-consent";
import { Button, ButtonLink } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/field";
import { progressText, useSyncProgress } from "@/components/connections/use-sync-progress";

/** Screen 1: how long, and which accounts. After an error the typed duration stays, with its message beside it. */
export function ConsentForm({ sessionId, nonce, bank, maxDays }: { sessionId: string; nonce: string; bank: string; maxDays: number }) {
  const [error, setError] = useState<string | undefined>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [days, setDays] = useState(String(Math.min(90, maxDays)));
  const [pending, start] = useTransition();
  const submit = (fd: FormData) =>
    start(async () => {
      setError(undefined);
      setFieldErrors({});
      const typed = String(fd.get("consentDays") ?? "");
      setDays(typed);
      const r = await submitConsentAction(undefined, { sessionId, nonce, consentDays: typed as unknown as number });
      if (r.status === "success") window.location.assign(r.data.scaUrl);
      else if (r.status === "invalid" && Object.keys(r.fieldErrors).length) {
        setFieldErrors(r.fieldErrors);
        if (r.formError) setError(r.formError);
      } else setError(r.status === "error" ? r.message : "Please check the form.");
    });
  return (
    <form action={submit} className="max-w-md space-y-4" noValidate>
      <FormError message={error} />
      <Field
        label="Consent duration (days)"
        name="consentDays"
        type="number"
        inputMode="numeric"
        defaultValue={days}
        min={1}
        max={maxDays}
        hint={`${bank} grants at most ${maxDays} days.`}
        errors={fieldErrors.consentDays}
      />
      <fieldset className="space-y-1 text-sm">
        <legend className="font-medium text-stone-700">Accounts</legend>
        <label className="flex items-center gap-2">
          <input type="radio" name="scope" value="all" defaultChecked /> All my accounts at {bank} (balances and transactions)
        </label>
      </fieldset>
      <Button type="submit" disabled={pending}>
        {pending ? "Preparing…" : `Continue to ${bank}`}
      </Button>
    </form>
  );
}

type Phase = { step: "waiting" } | { step: "importing"; connectionId: string; renewed: boolean } | { step: "done"; message: string; ok: boolean };

/**
 * Screen 2: after the bank. The server finishes the consent (it polls the bank, links the
 * connection and queues its import); this only reads the session's state, then follows
 * the import the server queued. Closing the page changes nothing.
 */
export function ScaWait({ sessionId, bank, scaUrl, completed }: { sessionId: string; bank: string; scaUrl: string | null; completed: boolean }) {
  // Rendered at the same place for "awaiting SCA" and "completed", so its state (the import
  // under way) survives the server re-render when the session completes.
  // A session the server already completed (the bank answered before the user came back)
  // still follows its import.
  const [phase, setPhase] = useState<Phase>({ step: "waiting" });
  const run = useSyncProgress(phase.step === "importing" ? phase.connectionId : null, phase.step === "importing");
  useEffect(() => {
    let stop = false;
    const poll = async () => {
      while (!stop) {
        const r = await consentStateAction(undefined, { sessionId });
        if (stop) return;
        if (r.status !== "success") {
          setPhase({ step: "done", ok: false, message: r.status === "error" ? r.message : "The consent could not be completed." });
          return;
        }
        const st = r.data.session;
        if (st.status === "rejected" || st.status === "expired") {
          setPhase({ step: "done", ok: false, message: st.failure ?? "Nothing was linked." });
          return;
        }
        if (st.status !== "completed" || !st.connectionId || !st.syncJobId) {
          await new Promise((res) => setTimeout(res, 1000));
          continue;
        }
        const renewed = st.renewal;
        setPhase({ step: "importing", connectionId: st.connectionId, renewed });
        // Follow the import the server queued (no new sync is started from here).
        for (;;) {
          const s = await refreshConnectionAction(undefined, { connectionId: st.connectionId, jobId: st.syncJobId });
          if (stop) return;
          if (s.status === "success" && s.data.outcome === "queued" && !s.data.code) continue; // still importing: keep following
          if (s.status !== "success") {
            setPhase({ step: "done", ok: true, message: "This consent is complete." }); // an old session whose job is gone
            return;
          }
          const summary = s.data.summary;
          setPhase({ step: "done", ok: true, message: renewed ? `Consent renewed. ${summary}` : `First import finished: ${summary}.` });
          return;
        }
      }
    };
    void poll();
    return () => {
      stop = true;
    };
  }, [sessionId]);

  if (phase.step === "done")
    return (
      <div className="space-y-4">
        <p role="status" className={`rounded-lg px-4 py-3 text-sm ${phase.ok ? "bg-emerald-50 text-emerald-800" : "bg-amber-50 text-amber-900"}`}>
          {phase.message}
        </p>
        <div className="flex gap-2">
          <ButtonLink href="/connections">Back to connections</ButtonLink>
          {phase.ok && (
            <ButtonLink href="/transactions" variant="secondary">
              See transactions
            </ButtonLink>
          )}
        </div>
      </div>
    );
  return (
    <div role="status" aria-live="polite" className="space-y-3">
      <div className="flex items-center gap-3 rounded-lg bg-brand-50 px-4 py-3 text-sm text-brand-700">
        <span className="inline-block h-4 w-4 animate-spin rounded-full border-2 border-brand-600 border-t-transparent" aria-hidden />
        <span>{phase.step === "importing" ? progressText(run) : completed ? "Finishing…" : `Waiting for your approval at ${bank}…`}</span>
      </div>
      {phase.step === "waiting" && !completed && scaUrl && (
        <p className="text-sm text-stone-600">
          Approve in your banking app, or{" "}
          <a href={scaUrl} className="font-medium text-brand-700 underline">
            open {bank} to approve
          </a>
          .
        </p>
      )}
    </div>
  );
}
