import type { Db } from "@/db/client";
import { createFinqwareConnector } from "@/lib/connectors/finqware/connector";
import { finishConsent, startConsent, submitConsent, viewConsent } from "@/lib/consent/sessions";
import { FQ_APP_KEY, FQ_CLIENT_ID, FQ_CLIENT_SECRET, FinqwareEmulator } from "@/emulators/finqware/server";
import { fakeClock } from "./sync-harness";

/** The local Finqware in-process, the real connector against it, one fake clock for both. */
export function finqwareHarness() {
  const clock = fakeClock(Date.UTC(2026, 10, 21, 9));
  const emulator = new FinqwareEmulator({ now: clock.now });
  const connector = createFinqwareConnector(
    { baseUrl: "http://finqware.test", clientId: FQ_CLIENT_ID, clientSecret: FQ_CLIENT_SECRET, appKey: FQ_APP_KEY, fetch: (i, init) => emulator.handle(new Request(i, init)) },
    { now: clock.now },
  );
  const deps = { connector, now: clock.now };
  const providerSessionOf = async (db: Db, sessionId: string) => {
    const { consentSessions } = await import("@/db/schema");
    const { eq } = await import("drizzle-orm");
    const [s] = await db.select().from(consentSessions).where(eq(consentSessions.id, sessionId));
    return s!.providerSessionId!;
  };
  /** The whole guided flow: choose 90 days, approve at the bank, finish. */
  const consent = async (db: Db, userId: string, skillCode = "bt_ro_aisp_sbx_#2.0", renewConnectionId?: string) => {
    const { sessionId } = await startConsent(db, { userId, skillCode, renewConnectionId }, deps);
    const v = await viewConsent(db, { userId, sessionId }, deps);
    const step = await submitConsent(db, { userId, sessionId, nonce: v.nonce!, consentDays: 90, returnUrl: "http://app.test/back" }, deps);
    emulator.decideSca(await providerSessionOf(db, sessionId), true);
    const done = await finishConsent(db, { userId, sessionId, nonce: step.nonce }, deps);
    if (done.status !== "completed") throw new Error(`consent ended ${done.status}`);
    return done.connectionId;
  };
  return { clock, emulator, connector, deps, consent, providerSessionOf };
}
