"use client";

import { useEffect, useRef, useState, useTransition } from "react";
import { finishConsentAction } from "@/lib/actions/finish-consent";
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

/** Screen 2: after the bank. Polls until the bank says yes or no, then imports. */
export function ScaWait({ sessionId, nonce, bank, scaUrl, completed }: { sessionId: string; nonce: string | null; bank: string; scaUrl: string | null; completed: boolean }) {
  // Rendered at the same place for "awaiting SCA" and "completed", so its state (the import
  // under way) survives the server re-render that finishing the consent triggers.
  const [phase, setPhase] = useState<Phase>(completed ? { step: "done", ok: true, message: "This consent is complete." } : { step: "waiting" });
  const nonceRef = useRef(nonce ?? "");
  const startedDone = useRef(completed);
  const run = useSyncProgress(phase.step === "importing" ? phase.connectionId : null, phase.step === "importing");
  useEffect(() => {
    if (startedDone.current) return;
    let stop = false;
    const poll = async () => {
      while (!stop) {
        const r = await finishConsentAction(undefined, { sessionId, nonce: nonceRef.current });
        if (stop) return;
        if (r.status !== "success") {
          setPhase({ step: "done", ok: false, message: r.status === "error" ? r.message : "The consent could not be completed." });
          return;
        }
        const o = r.data.outcome;
        if (o.status === "pending") {
          nonceRef.current = o.nonce;
          await new Promise((res) => setTimeout(res, 1500));
          continue;
        }
        if (o.status === "rejected") {
          setPhase({ step: "done", ok: false, message: o.message });
          return;
        }
        const { connectionId, renewed } = o;
        setPhase({ step: "importing", connectionId, renewed });
        const s = await refreshConnectionAction(undefined, { connectionId, initial: !renewed, jobId: r.data.jobId ?? undefined });
        const summary = s.status === "success" ? s.data.summary : "";
        setPhase({ step: "done", ok: true, message: renewed ? `Consent renewed. ${summary}` : `First import finished: ${summary}.` });
        return;
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
        <span>{phase.step === "importing" ? progressText(run) : `Waiting for your approval at ${bank}…`}</span>
      </div>
      {phase.step === "waiting" && scaUrl && (
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
