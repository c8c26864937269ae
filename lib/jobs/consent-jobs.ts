import type { Db } from "@/db/client";
import type { ConsentSessionConnector } from "@/lib/connectors/contract";
import { pollConsent, recordConsentSync } from "@/lib/consent/sessions";
import { log } from "@/lib/log";
import type { JobQueue } from "./queue";
import { enqueueSync } from "./sync-jobs";

/**
 * `consent.finalize` {userId, sessionId}: the decoupled-SCA poll of a PSD2 consent session,
 * on the server. Queued when the user is sent to the bank (or told to approve in the
 * banking app); each run asks the provider once and, while the answer is "pending",
 * queues the next poll with a growing delay (capped), until the bank approves, rejects or
 * the session's 30 minutes run out. On approval the connection is created (or renewed in
 * place) and its first sync queued; the page only reads the session's state.
 */

export type ConsentJobData = { userId: string; sessionId: string; polls?: number };

export type ConsentJobOutput =
  | { outcome: "pending"; next: string | null; after: string }
  | { outcome: "completed"; connectionId: string; syncJobId: string | null }
  | { outcome: "rejected" | "expired"; message: string }
  | { outcome: "idle"; sessionStatus: string };

export type ConsentJobDeps = {
  connector?: ConsentSessionConnector;
  /** The session's clock (its 30-minute expiry); polls are spaced in real time. */
  now?: () => number;
  /** First delay between polls (doubles each time, up to `maxPollMs`). */
  firstPollMs?: number;
  maxPollMs?: number;
};

const FIRST_POLL_MS = 1000;
const MAX_POLL_MS = 5000;

/** Delay before poll number `polls` (0-based): 1 s, 2 s, 4 s, then every 5 s. */
export function pollDelayMs(polls: number, deps: Pick<ConsentJobDeps, "firstPollMs" | "maxPollMs"> = {}): number {
  return Math.min(deps.maxPollMs ?? MAX_POLL_MS, (deps.firstPollMs ?? FIRST_POLL_MS) * 2 ** Math.min(polls, 10));
}

/** Queue the server-side poll of a consent session (one chain per session). */
export async function enqueueConsentFinalize(jobs: JobQueue, data: ConsentJobData, opts: { startAfter?: Date } = {}): Promise<string | null> {
  return jobs.send("consent.finalize", { userId: data.userId, sessionId: data.sessionId, polls: data.polls ?? 0 }, { singletonKey: data.sessionId, startAfter: opts.startAfter });
}

/** The `consent.finalize` handler. */
export async function runConsentJob(db: Db, jobs: JobQueue, data: ConsentJobData, deps: ConsentJobDeps = {}): Promise<ConsentJobOutput> {
  let r: Awaited<ReturnType<typeof pollConsent>>;
  try {
    r = await pollConsent(db, { userId: data.userId, sessionId: data.sessionId }, { connector: deps.connector, now: deps.now });
  } catch (e) {
    // A provider or network hiccup: keep polling (the session's 30 minutes bound it).
    log.warn("consent poll failed; polling again", { sessionId: data.sessionId, error: e });
    r = { status: "pending" };
  }
  if (r.status === "pending" || r.status === "busy") {
    const polls = (data.polls ?? 0) + 1;
    const after = new Date(Date.now() + pollDelayMs(polls - 1, deps));
    const next = await enqueueConsentFinalize(jobs, { ...data, polls }, { startAfter: after });
    return { outcome: "pending", next, after: after.toISOString() };
  }
  if (r.status === "completed") {
    // The first sync of a new connection is its import; a renewal refreshes it.
    const syncJobId = await enqueueSync(jobs, { userId: data.userId, connectionId: r.connectionId, trigger: r.renewed ? "manual" : "initial" });
    await recordConsentSync(db, { sessionId: data.sessionId, jobId: syncJobId });
    log.info("consent completed on the server", { sessionId: data.sessionId, connectionId: r.connectionId, renewed: r.renewed });
    return { outcome: "completed", connectionId: r.connectionId, syncJobId };
  }
  if (r.status === "idle") return { outcome: "idle", sessionStatus: r.sessionStatus };
  return { outcome: r.status, message: r.message };
}
