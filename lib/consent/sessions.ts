import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { connections, consentSessions, consentSessionSteps } from "@/db/schema";
import { linkConnection, reconnectConnection } from "@/lib/connections/service";
import type { ConsentSessionConnector } from "@/lib/connectors/contract";
import { ConnectorError } from "@/lib/connectors/errors";
import { getConsentConnector } from "@/lib/connectors/registry";
import { AppError } from "@/lib/errors";
import { skillByCode } from "./catalog";

/**
 * Guided PSD2 consent, persisted as a state machine:
 *   created (choose duration and scope) → awaiting_sca (the bank's page, or approve in the
 *   banking app while we poll) → completed | rejected | expired.
 * Every screen carries a one-time nonce (only its hash is stored): a replayed or
 * out-of-order submission is refused. Sessions expire after 30 minutes. Reloading
 * re-renders the current step with a fresh nonce. On completion the temp token is
 * exchanged server-side and the connection created — or, for a renewal, updated in place.
 */
export const SESSION_TTL_MS = 30 * 60_000;

/**
 * Sessions are keyed by connector: a session row names the consent connector its bank is
 * reached through (from the bank's catalogue entry), and every step goes to that one.
 */
type Deps = { connector?: ConsentSessionConnector; now?: () => number };
const conn = (d: Deps, connectorId: string) => d.connector ?? getConsentConnector(connectorId);
const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const newNonce = () => randomBytes(24).toString("base64url");

export type ConsentView = {
  id: string;
  /** The consent-session connector this session runs through ("Start again" links back to it). */
  connectorId: string;
  status: "created" | "in_progress" | "awaiting_sca" | "completed" | "rejected" | "expired";
  step: string;
  bank: string;
  maxConsentDays: number;
  consentDays: number | null;
  scaUrl: string | null;
  connectionId: string | null;
  renewal: boolean;
  expiresAt: Date;
  /** Fresh one-time nonce for the current screen (none once finished). */
  nonce: string | null;
  /** Why a finished session linked nothing. */
  failure: string | null;
};

async function load(db: Db, userId: string, id: string) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AppError("not_found", "That consent session does not exist.");
  const [s] = await db.select().from(consentSessions).where(and(eq(consentSessions.id, id), eq(consentSessions.userId, userId)));
  if (!s) throw new AppError("not_found", "That consent session does not exist.");
  return s;
}

async function rotateNonce(db: Db, id: string): Promise<string> {
  const nonce = newNonce();
  await db.update(consentSessions).set({ nonceHash: sha(nonce) }).where(eq(consentSessions.id, id));
  return nonce;
}

/** Check and consume the screen's nonce, and that the session is live and at `step`. */
async function guard(db: Db, s: typeof consentSessions.$inferSelect, nonce: string, step: string, now: number) {
  if (["completed", "rejected", "expired"].includes(s.status)) throw new AppError("conflict", "This consent session is already finished. Start a new one.");
  if (s.expiresAt.getTime() <= now) {
    await db.update(consentSessions).set({ status: "expired", nonceHash: null }).where(eq(consentSessions.id, s.id));
    throw new AppError("conflict", "This consent session expired after 30 minutes. Start again.");
  }
  const ok = s.nonceHash !== null && sha(nonce).length === s.nonceHash.length && timingSafeEqual(Buffer.from(sha(nonce)), Buffer.from(s.nonceHash));
  if (!ok || s.currentStep !== step) {
    await db.insert(consentSessionSteps).values({ sessionId: s.id, step, status: "refused", data: { reason: ok ? "out_of_order" : "bad_nonce" } });
    throw new AppError("conflict", "This step was already submitted or is out of order. Reload the page to continue.");
  }
}

export async function startConsent(db: Db, input: { userId: string; skillCode: string; renewConnectionId?: string }, deps: Deps = {}): Promise<{ sessionId: string }> {
  const skill = await skillByCode(db, input.skillCode);
  if (!skill) throw new AppError("not_found", "That bank is not in the catalogue.");
  if (input.renewConnectionId) {
    const [c] = await db.select().from(connections).where(and(eq(connections.id, input.renewConnectionId), eq(connections.userId, input.userId), eq(connections.connectorId, skill.connectorId)));
    if (!c || c.status === "disconnected") throw new AppError("not_found", "That connection does not exist.");
  }
  const provider = await conn(deps, skill.connectorId).startSession({ tenantUserId: input.userId, skill: skill.code });
  const now = deps.now?.() ?? Date.now();
  const [row] = await db
    .insert(consentSessions)
    .values({
      userId: input.userId,
      connectorId: skill.connectorId,
      institutionId: skill.institutionId,
      skillId: skill.skillId,
      connectionId: input.renewConnectionId ?? null,
      status: "created",
      currentStep: "consent",
      providerSessionId: provider.sessionId,
      scope: { providerNonce: provider.nonce, skill: skill.code, renewal: Boolean(input.renewConnectionId) },
      expiresAt: new Date(now + SESSION_TTL_MS),
      createdAt: new Date(now),
    })
    .returning({ id: consentSessions.id });
  return { sessionId: row!.id };
}

export async function viewConsent(db: Db, input: { userId: string; sessionId: string }, deps: Deps = {}): Promise<ConsentView> {
  let s = await load(db, input.userId, input.sessionId);
  const now = deps.now?.() ?? Date.now();
  if (!["completed", "rejected", "expired"].includes(s.status) && s.expiresAt.getTime() <= now) {
    await db.update(consentSessions).set({ status: "expired", nonceHash: null }).where(eq(consentSessions.id, s.id));
    s = { ...s, status: "expired" };
  }
  const skill = await skillByCode(db, String(s.scope.skill));
  const live = !["completed", "rejected", "expired"].includes(s.status);
  return {
    id: s.id,
    connectorId: s.connectorId,
    status: s.status,
    step: s.currentStep,
    bank: skill?.name ?? "your bank",
    maxConsentDays: skill?.maxConsentDays ?? 90,
    consentDays: s.consentDays,
    scaUrl: (s.scope.scaUrl as string | undefined) ?? null,
    connectionId: s.connectionId,
    renewal: s.scope.renewal === true,
    expiresAt: s.expiresAt,
    nonce: live ? await rotateNonce(db, s.id) : null,
    failure: typeof s.scope.failure === "string" ? s.scope.failure : null,
  };
}

/** Step 1: consent duration (bounded by the bank's maximum) and scope → the bank's SCA page. */
export async function submitConsent(
  db: Db,
  input: { userId: string; sessionId: string; nonce: string; consentDays: number; returnUrl: string },
  deps: Deps = {},
): Promise<{ scaUrl: string; nonce: string }> {
  const s = await load(db, input.userId, input.sessionId);
  const now = deps.now?.() ?? Date.now();
  await guard(db, s, input.nonce, "consent", now);
  const skill = await skillByCode(db, String(s.scope.skill));
  const max = skill?.maxConsentDays ?? 90;
  if (!Number.isInteger(input.consentDays) || input.consentDays < 1 || input.consentDays > max) {
    throw new AppError("invalid_input", `${skill?.name ?? "This bank"} grants consents of at most ${max} days. Choose 1–${max}.`, { fieldErrors: { consentDays: [`Choose 1–${max} days.`] } });
  }
  const r = await conn(deps, s.connectorId).step({ sessionId: s.providerSessionId!, nonce: String(s.scope.providerNonce), skill: String(s.scope.skill), step: "consent", data: { consent_days: input.consentDays, accounts: "all", redirect_url: input.returnUrl } });
  const scaUrl = String(r.data.sca_redirect);
  const nonce = newNonce();
  await db
    .update(consentSessions)
    .set({ status: "awaiting_sca", currentStep: "sca", consentDays: input.consentDays, nonceHash: sha(nonce), scope: { ...s.scope, providerNonce: r.nonce, scaUrl } })
    .where(eq(consentSessions.id, s.id));
  await db.insert(consentSessionSteps).values({ sessionId: s.id, step: "consent", status: "accepted", data: { consentDays: input.consentDays, accounts: "all" } });
  return { scaUrl, nonce };
}

export type FinishResult = { status: "pending"; nonce: string } | { status: "completed"; connectionId: string; renewed: boolean } | { status: "rejected"; message: string };

export const REJECTED_MESSAGE = "The consent was rejected at the bank. Nothing was linked.";
export const EXPIRED_MESSAGE = "This consent session expired after 30 minutes. Nothing was linked.";
const POLL_LEASE_MS = 60_000;

type Session = typeof consentSessions.$inferSelect;
type Advanced = { status: "pending"; providerNonce: string } | { status: "completed"; connectionId: string; renewed: boolean } | { status: "rejected"; message: string };

/** End a session that did not link anything, with the reason shown to the user. */
async function fail(db: Db, s: Session, status: "rejected" | "expired", reason: string, data: Record<string, unknown>) {
  await db
    .update(consentSessions)
    .set({ status, nonceHash: null, scope: { ...s.scope, failure: reason, pollLeaseUntil: null } })
    .where(eq(consentSessions.id, s.id));
  await db.insert(consentSessionSteps).values({ sessionId: s.id, step: "sca", status: "refused", data });
}

/**
 * Ask the provider once whether the user approved (redirect back or decoupled
 * approve-in-app), and act on the answer: still pending, rejected (session failed with
 * the reason), or approved (temp token exchanged server-side, connection created or
 * renewed in place, session completed).
 */
async function advance(db: Db, s: Session, userId: string, deps: Deps): Promise<Advanced> {
  const c = conn(deps, s.connectorId);
  let r;
  try {
    r = await c.step({ sessionId: s.providerSessionId!, nonce: String(s.scope.providerNonce), skill: String(s.scope.skill), step: "finalize" });
  } catch (e) {
    if (e instanceof ConnectorError && e.code === "invalid_credentials") {
      await fail(db, s, "rejected", REJECTED_MESSAGE, { reason: "rejected_at_bank" });
      return { status: "rejected", message: REJECTED_MESSAGE };
    }
    throw e;
  }
  if (r.data.sca_status === "pending") {
    await db.update(consentSessions).set({ scope: { ...s.scope, providerNonce: r.nonce, pollLeaseUntil: null } }).where(eq(consentSessions.id, s.id));
    return { status: "pending", providerNonce: r.nonce };
  }
  const bank = await skillByCode(db, String(s.scope.skill));
  const payload = { temp_token: String(r.data.temp_token), skill: String(s.scope.skill), tenant_user_id: userId, servicer_id: bank?.servicerId ?? String(s.scope.skill), servicer_name: bank?.name ?? "Bank" };
  let connectionId: string;
  try {
    if (s.connectionId) {
      await reconnectConnection(db, { userId, connectionId: s.connectionId, payload }, { connector: c });
      connectionId = s.connectionId;
    } else {
      connectionId = (await linkConnection(db, { userId, connectorId: s.connectorId, payload }, { connector: c })).connectionId;
      await db.update(connections).set({ skillId: s.skillId }).where(eq(connections.id, connectionId));
    }
  } catch (e) {
    // The bank said yes but linking failed for a reason the user must see (already linked, …).
    if (e instanceof AppError || e instanceof ConnectorError) {
      await fail(db, s, "rejected", e.message, { reason: "link_failed" });
      return { status: "rejected", message: e.message };
    }
    throw e;
  }
  await db
    .update(consentSessions)
    .set({ status: "completed", nonceHash: null, completedAt: new Date(), connectionId, scope: { ...s.scope, pollLeaseUntil: null } })
    .where(eq(consentSessions.id, s.id));
  await db.insert(consentSessionSteps).values({ sessionId: s.id, step: "sca", status: "accepted", data: {} });
  return { status: "completed", connectionId, renewed: Boolean(s.connectionId) };
}

/** Step 2 from a screen (nonce-guarded): after the bank, ask once. */
export async function finishConsent(db: Db, input: { userId: string; sessionId: string; nonce: string }, deps: Deps = {}): Promise<FinishResult> {
  const s = await load(db, input.userId, input.sessionId);
  await guard(db, s, input.nonce, "sca", deps.now?.() ?? Date.now());
  const r = await advance(db, s, input.userId, deps);
  if (r.status !== "pending") return r;
  const nonce = newNonce();
  await db.update(consentSessions).set({ nonceHash: sha(nonce) }).where(eq(consentSessions.id, s.id));
  return { status: "pending", nonce };
}

export type PollResult =
  | { status: "pending" }
  /** Another poll holds the session right now. */
  | { status: "busy" }
  | { status: "completed"; connectionId: string; renewed: boolean }
  | { status: "rejected" | "expired"; message: string }
  /** Not waiting for the bank (not yet submitted, or already finished). */
  | { status: "idle"; sessionStatus: Session["status"] };

/**
 * The server-side poll (the `consent.finalize` job): no screen, no nonce. Takes a short
 * lease on the session so two pollers never ask the provider at once (its temp token is
 * handed out once), and expires the session after its 30 minutes.
 */
export async function pollConsent(db: Db, input: { userId: string; sessionId: string }, deps: Deps = {}): Promise<PollResult> {
  const s = await load(db, input.userId, input.sessionId);
  const now = deps.now?.() ?? Date.now();
  if (s.status !== "awaiting_sca") return { status: "idle", sessionStatus: s.status };
  if (s.expiresAt.getTime() <= now) {
    await fail(db, s, "expired", EXPIRED_MESSAGE, { reason: "expired" });
    return { status: "expired", message: EXPIRED_MESSAGE };
  }
  const [claimed] = await db
    .update(consentSessions)
    .set({ scope: sql`${consentSessions.scope} || jsonb_build_object('pollLeaseUntil', ${now + POLL_LEASE_MS}::bigint)` })
    .where(
      and(
        eq(consentSessions.id, s.id),
        eq(consentSessions.status, "awaiting_sca"),
        sql`coalesce((${consentSessions.scope}->>'pollLeaseUntil')::bigint, 0) < ${now}`,
      ),
    )
    .returning();
  if (!claimed) return { status: "busy" };
  try {
    const r = await advance(db, claimed, input.userId, deps);
    return r.status === "pending" ? { status: "pending" } : r.status === "rejected" ? { status: "rejected", message: r.message } : r;
  } catch (e) {
    // The provider refused the finalisation for a reason polling will not change: end the
    // session with the connector's own (safe) message, which the page shows.
    if (e instanceof ConnectorError && !e.retryable) {
      await fail(db, claimed, "rejected", e.message, { reason: "finalize_failed", code: e.code });
      return { status: "rejected", message: e.message };
    }
    // A provider hiccup: let the next poll try again right away.
    await db.update(consentSessions).set({ scope: sql`${consentSessions.scope} - 'pollLeaseUntil'` }).where(eq(consentSessions.id, s.id));
    throw e;
  }
}

/** Remember the first sync queued for a completed session (the page follows it). */
export async function recordConsentSync(db: Db, input: { sessionId: string; jobId: string | null }) {
  await db
    .update(consentSessions)
    .set({ scope: sql`${consentSessions.scope} || jsonb_build_object('syncJobId', ${input.jobId}::text)` })
    .where(eq(consentSessions.id, input.sessionId));
}

export type ConsentState = {
  status: Session["status"];
  connectionId: string | null;
  renewal: boolean;
  /** Why a session ended without linking (rejected at the bank, expired, linking refused). */
  failure: string | null;
  /** The first sync the server queued once the consent completed. */
  syncJobId: string | null;
};

/** What the page shows while the server finishes the consent: a read, nothing changes. */
export async function consentState(db: Db, input: { userId: string; sessionId: string }, deps: Deps = {}): Promise<ConsentState> {
  const s = await load(db, input.userId, input.sessionId);
  const now = deps.now?.() ?? Date.now();
  const expired = !["completed", "rejected", "expired"].includes(s.status) && s.expiresAt.getTime() <= now;
  const status = expired ? "expired" : s.status;
  const failure = typeof s.scope.failure === "string" ? s.scope.failure : status === "rejected" ? REJECTED_MESSAGE : status === "expired" ? EXPIRED_MESSAGE : null;
  return {
    status,
    connectionId: s.connectionId,
    renewal: s.scope.renewal === true,
    failure,
    syncJobId: typeof s.scope.syncJobId === "string" ? s.scope.syncJobId : null,
  };
}
