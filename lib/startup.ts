import { getDatabase, getDb } from "@/db";
import { startScheduler } from "@/lib/sync/scheduler";
import { startWebhookLoop } from "@/lib/webhooks/loop";

/**
 * Server start-up: open the database (a second process on the same embedded data
 * directory stops here with a clear message) and apply migrations.
 */
export async function startServer(): Promise<void> {
  try {
    const database = await getDatabase();
    console.info(`[ledgerlink] Database ready (${database.kind}).`);
    if (process.env.LEDGERLINK_SCHEDULER !== "off") startScheduler(getDb);
    if (process.env.LEDGERLINK_WEBHOOKS !== "off") startWebhookLoop(getDb);
  } catch (e) {
    console.error(`[ledgerlink] Cannot start: ${(e as Error).message}`);
    process.exit(1);
  }
}
