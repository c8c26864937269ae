/**
 * Runs once when the server starts (see lib/startup.ts): open the database and apply
 * migrations, so misconfiguration fails at start-up instead of on the first request.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs" && process.env.NEXT_PHASE !== "phase-production-build") {
    const { startServer } = await import("./lib/startup");
    await startServer();
  }
}
