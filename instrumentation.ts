/**
 * Runs once when the server starts: open the database and apply migrations, so a bad
 * configuration or a second process on the same embedded data directory fails at
 * start-up with a clear message instead of on the first request.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { getDatabase } = await import("./db");
  try {
    const database = await getDatabase();
    console.info(`[ledgerlink] Database ready (${database.kind}).`);
  } catch (e) {
    console.error(`[ledgerlink] Cannot start: ${(e as Error).message}`);
    process.exit(1);
  }
}
