import type { Metadata } from "next";
import { auditForeignIds, idsIn } from "@/lib/audit/denied";
import { notFound } from "next/navigation";
import { getDb } from "@/db";
import { requireUser } from "@/lib/auth/current-user";
import { viewConsent } from "@/lib/consent/sessions";
import { AppError } from "@/lib/errors";
import { formatDateTime } from "@/lib/format";
import { ConsentForm, ScaWait } from "@/components/consent/consent-steps";
import { ButtonLink } from "@/components/ui/button";
import { Card, PageHeader } from "@/components/ui/card";

export const metadata: Metadata = { title: "Bank consent" };

/** The guided consent: whatever screen the session is at (reloading resumes here). */
export default async function ConsentPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  let v;
  try {
    v = await viewConsent(await getDb(), { userId: user.id, sessionId: id });
  } catch (e) {
    if (e instanceof AppError && e.code === "not_found") {
      await auditForeignIds(await getDb(), { userId: user.id, ids: idsIn(id) });
      notFound();
    }
    throw e;
  }
  const steps = ["Consent", "Approve at your bank", "Import"];
  const current = v.status === "created" ? 0 : v.status === "awaiting_sca" ? 1 : 2;
  return (
    <>
      <PageHeader title={v.renewal ? `Renew your consent with ${v.bank}` : `Connect ${v.bank}`} description={`This screen stays valid until ${formatDateTime(v.expiresAt)}.`} />
      <ol className="mb-6 flex gap-4 text-sm" aria-label="Steps">
        {steps.map((s, i) => (
          <li key={s} aria-current={i === current ? "step" : undefined} className={i === current ? "font-semibold text-brand-700" : i < current ? "text-stone-500 line-through" : "text-stone-500"}>
            {i + 1}. {s}
          </li>
        ))}
      </ol>
      <Card>
        {v.status === "created" && v.nonce && <ConsentForm sessionId={v.id} nonce={v.nonce} bank={v.bank} maxDays={v.maxConsentDays} />}
        {(v.status === "awaiting_sca" || v.status === "completed") && (
          <ScaWait sessionId={v.id} bank={v.bank} scaUrl={v.scaUrl} completed={v.status === "completed"} />
        )}
        {(v.status === "rejected" || v.status === "expired") && (
          <div className="space-y-3">
            <p role="status" className="text-sm text-amber-900">
              {v.failure ?? (v.status === "rejected" ? "The consent was rejected at the bank. Nothing was linked." : "This consent session expired after 30 minutes. Nothing was linked.")}
            </p>
            <ButtonLink href={`/connections/new?connector=${encodeURIComponent(v.connectorId)}`} variant="secondary">
              Start again
            </ButtonLink>
          </div>
        )}
      </Card>
    </>
  );
}
