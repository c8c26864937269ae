import { getDatabase } from "@/db";
import { installPeerHeader, parseTrustProxy } from "@/lib/auth/request-meta";
import { startAppWorker } from "@/lib/jobs/app";

/**
 * Server start-up: open the database (a second process on the same embedded data
 * directory stops here with a clear message), apply migrations and start the job queue.
 */
export async function startServer(): Promise<void> {
  installPeerHeader();
  try {
    const hops = parseTrustProxy(process.env.TRUST_PROXY);
    if (hops) console.info(`[ledgerlink] Trusting X-Forwarded-For from ${hops} proxy hop(s) (TRUST_PROXY).`);
    const database = await getDatabase();
    console.info(`[ledgerlink] Database ready (${database.kind}).`);
    // Background work (syncs, schedule, recovery) runs as jobs; on one machine this
    // process is also the worker (LEDGERLINK_WORKER=off: web only, workers run elsewhere).
    const inProcess = await startAppWorker();
    console.info(`[ledgerlink] Jobs ready (${inProcess ? "worker in this process" : "web only; run workers with npm run worker"}).`);
    // ECB rate history: loaded once, in the background (pages say so until it is there).
    // Staying current is the worker's scheduled `fx.refresh` job (LEDGERLINK_FX_FETCH=on).
    void import("@/lib/fx/rates")
      .then(({ ensureRatesSeeded }) => ensureRatesSeeded(database.db))
      .catch((e: unknown) => console.error(`[ledgerlink] Could not load exchange rates: ${(e as Error).message}`));
  } catch (e) {
    console.error(`[ledgerlink] Cannot start: ${(e as Error).message}`);
    process.exit(1);
  }
}
