/**
 * `npm run bench`: performance figures as numbers and ratios (never asserted in tests).
 * BENCH_DAYS shortens the imported history for a quick run; BENCH_ONLY=sync|query|auth picks one.
 */
import "./env";
import { benchAuth, printAuth } from "./auth";
import { benchQuery, printQuery } from "./query";
import { benchSync, printSync } from "./sync";

const days = process.env.BENCH_DAYS ? Number(process.env.BENCH_DAYS) : undefined;
const only = process.env.BENCH_ONLY;
const results: Record<string, Awaited<ReturnType<typeof benchQuery>>> = {};
for (const kind of ["postgres", "pglite"] as const) {
  // The auth bench on PGlite did not finish within 5 minutes on this machine (under
  // investigation): opt in with BENCH_AUTH_PGLITE=1.
  if ((!only || only === "auth") && (kind === "postgres" || process.env.BENCH_AUTH_PGLITE === "1")) printAuth(await benchAuth(kind));
  if (only === "auth") continue;
  if (only !== "query") printSync(await benchSync(kind, days));
  if (only !== "sync") {
    results[kind] = await benchQuery(kind, days);
    printQuery(results[kind]);
  }
}
if (results.postgres && results.pglite) {
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  const worst = (r: (typeof results)["pglite"]) => Math.max(...Object.values(r.pages).map((v) => v.p95));
  console.log(`ratio pglite/postgres: worst page p95 ${ratio(worst(results.pglite), worst(results.postgres))}, overview all-time p95 ${ratio(results.pglite.ovAll.p95, results.postgres.ovAll.p95)}, export time ${ratio(results.pglite.export.ms, results.postgres.export.ms)} (target within 3×)`);
}
