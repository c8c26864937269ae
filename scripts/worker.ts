/**
 * A worker process: `npm run worker`. Runs sync jobs, the `sync.due` schedule and the
 * reaper against DATABASE_URL (PostgreSQL; several workers and web processes can share
 * it). Stops gracefully on SIGTERM/SIGINT (the job under way finishes or, if killed,
 * is recovered by the reaper in another process).
 */
import { getDatabase } from "@/db";
import { env } from "@/lib/env";
import { getJobs, startWorker, workerOptionsFromEnv } from "@/lib/jobs";

async function main() {
  const e = env();
  const database = await getDatabase();
  const jobs = await getJobs(getDatabase, { url: e.databaseUrl, supervise: true });
  await startWorker(database, jobs, workerOptionsFromEnv());
  console.info(`[ledgerlink] worker ${process.pid} ready (${database.kind})`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await jobs.stop();
    await database.close();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err) => {
  console.error(`[ledgerlink] worker cannot start: ${(err as Error).message}`);
  process.exit(1);
});
