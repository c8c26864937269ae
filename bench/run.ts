/**
 * `npm run bench`: performance figures as numbers and ratios (never asserted in tests).
 * BENCH_DAYS shortens the imported history for a quick run.
 */
import "./env";
import { benchSync, printSync } from "./sync";

const days = process.env.BENCH_DAYS ? Number(process.env.BENCH_DAYS) : undefined;
for (const kind of ["postgres", "pglite"] as const) {
  printSync(await benchSync(kind, days));
}
