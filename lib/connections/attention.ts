/**
 * Which connections need the user: a bank asking to sign in again, a sync that failed,
 * a sync that skipped accounts (active, with the partial run's reason kept), a consent
 * that ended or ends within `days`. Pure (the Overview passes
 * listConnections' rows); ordered by urgency.
 */
import { addDaysToInstant } from "@/lib/dates";

export type AttentionKind = "reauth" | "consent_expired" | "error" | "partial" | "consent_expiring";
export type Attention = { id: string; name: string; kind: AttentionKind; message: string; action: string };

type Conn = { id: string; displayName: string; status: string; lastErrorMessage: string | null; consentExpiresAt: Date | null };

const ORDER: AttentionKind[] = ["reauth", "consent_expired", "error", "partial", "consent_expiring"];

export function connectionsNeedingAttention(list: readonly Conn[], { now = new Date(), days = 7, formatDate }: { now?: Date; days?: number; formatDate: (d: Date) => string }): Attention[] {
  const out: Attention[] = [];
  const soon = addDaysToInstant(now, days).getTime();
  for (const c of list) {
    if (c.status === "disconnected") continue;
    const expires = c.consentExpiresAt;
    if (expires && expires.getTime() <= now.getTime())
      out.push({ id: c.id, name: c.displayName, kind: "consent_expired", message: `Your bank consent ended on ${formatDate(expires)}. Syncing has stopped; your history stays.`, action: "Renew consent" });
    else if (c.status === "reauth_required")
      out.push({ id: c.id, name: c.displayName, kind: "reauth", message: "The bank asks you to sign in again before it shares new transactions.", action: "Reconnect" });
    else if (c.status === "error")
      out.push({ id: c.id, name: c.displayName, kind: "error", message: `The last sync failed${c.lastErrorMessage ? `: ${c.lastErrorMessage}` : "."}`, action: "See details" });
    else if (c.status === "active" && c.lastErrorMessage)
      out.push({ id: c.id, name: c.displayName, kind: "partial", message: `The last sync was incomplete: ${c.lastErrorMessage}`, action: "See details" });
    else if (expires && expires.getTime() <= soon)
      out.push({ id: c.id, name: c.displayName, kind: "consent_expiring", message: `Your bank consent ends on ${formatDate(expires)}.`, action: "Renew consent" });
  }
  return out.sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
}
