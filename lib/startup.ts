import { getDatabase, getDb } from "@/db";
import { startScheduler } from "@/lib/sync/scheduler";

/**
 * Server start-up: open the database (a second process on the same embedded data
 * directory stops here with a clear message) and apply migrations.
 */
export async function startServer(): Promise<void> {
  try {
    const database = await getDatabase();
    console.info(`[ledgerlink] Database ready (${database.kind}).`);
    if (process.env.LEDGERLINK_SCHEDULER !== "off") startScheduler(getDb);
    // ECB rate history: loaded once, in the background (pages say so until it is there).
    void import("@/lib/fx/rates")
      .then(({ ensureRatesSeeded }) => ensureRatesSeeded(database.db))
      .then(async () => {
        const { env } = await import("@/lib/env");
        if (env().fxFetch) (await import("@/lib/fx/fetch")).startFxRefresh(getDb);
      })
      .catch((e: unknown) => console.error(`[ledgerlink] Could not load exchange rates: ${(e as Error).message}`));
  } catch (e) {
    console.error(`[ledgerlink] Cannot start: ${(e as Error).message}`);
    process.exit(1);
  }
}
