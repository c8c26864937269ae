import "server-only";
import { desc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { auditLog } from "@/db/schema";

/** What each audited action means, in words a user understands. */
export const AUDIT_LABELS: Record<string, string> = {
  "user.sign_up": "Account created",
  "user.sign_in": "Signed in",
  "user.sign_in_failed": "Failed sign-in (wrong password)",
  "user.sign_in_throttled": "Sign-in refused: too many attempts",
  "user.sign_out": "Signed out",
  "user.sessions_revoked": "Signed out everywhere",
  "user.password_changed": "Password changed",
  "api_token.created": "API token created",
  "api_token.used": "API token used",
  "api_token.revoked": "API token revoked",
  "connection.linked": "Bank connection linked",
  "connection.relinked": "Bank connection linked again",
  "connection.reconnected": "Bank connection reconnected",
  "connection.refreshed": "Bank connection refreshed",
  "connection.disconnected": "Bank connection disconnected",
  "connection.reauth_required": "Bank asked to sign in again",
  "connection.renamed": "Bank connection renamed",
  "account.renamed": "Account renamed",
  "export.created": "Transactions exported",
  "authz.denied": "Refused: another user's data was asked for",
  "valuation.updated": "Valuation changed",
  "valuation.deleted": "Valuation deleted",
  "webhook.created": "Webhook created",
  "webhook.updated": "Webhook changed",
  "webhook.deleted": "Webhook deleted",
  "webhook.secret_rotated": "Webhook secret rotated",
  "webhook.disabled": "Webhook turned off: it failed for 3 days",
};

export const AUDIT_TRAIL_MAX = 100;

/** The user's own audit trail, newest first (bounded). Only this user's rows, ever. */
export async function listAuditTrail(db: Db, { userId, limit = 50 }: { userId: string; limit?: number }) {
  const rows = await db
    .select({ id: auditLog.id, action: auditLog.action, ip: auditLog.ip, createdAt: auditLog.createdAt, metadata: auditLog.metadata })
    .from(auditLog)
    .where(eq(auditLog.userId, userId))
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(Math.min(Math.max(1, limit), AUDIT_TRAIL_MAX));
  return rows.map((r) => ({ ...r, label: AUDIT_LABELS[r.action] ?? r.action }));
}
