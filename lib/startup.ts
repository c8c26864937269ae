import { getDatabase, getDb } from "@/db";
import { installPeerHeader, parseTrustProxy } from "@/lib/auth/request-meta";
import { startScheduler } from "@/lib/sync/scheduler";

/**
 * Server start-up: open the database (a second process on the same embedded data
 * directory stops here with a clear message) and apply migrations.
 */
export async function startServer(): Promise<void> {
  installPeerHeader();
  try {
    const hops = parseTrustProxy(process.env.TRUST_PROXY);
    if (hops) console.info(`[ledgerlink] Trusting X-Forwarded-For from ${hops} proxy hop(s) (TRUST_PROXY).`);
    const database = await getDatabase();
    console.info(`[ledgerlink] Database ready (${database.kind}).`);
    if (process.env.LEDGERLINK_SCHEDULER !== "off") startScheduler(getDb);
  } catch (e) {
    console.error(`[ledgerlink] Cannot start: ${(e as Error).message}`);
    process.exit(1);
  }
}
