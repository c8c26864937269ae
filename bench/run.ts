/**
 * `npm run bench`: performance figures as numbers and ratios (never asserted in tests).
 * BENCH_DAYS shortens the imported history for a quick run; BENCH_ONLY=sync|query picks one.
 */
import "./env";
import { benchQuery, printQuery } from "./query";
import { benchSync, printSync } from "./sync";
import { benchWealth, printWealth } from "./wealth";

const days = process.env.BENCH_DAYS ? Number(process.env.BENCH_DAYS) : undefined;
const only = process.env.BENCH_ONLY;
const results: Record<string, Awaited<ReturnType<typeof benchQuery>>> = {};
const wealth: Record<string, Awaited<ReturnType<typeof benchWealth>>> = {};
for (const kind of ["postgres", "pglite"] as const) {
  if (!only || only === "wealth") {
    wealth[kind] = await benchWealth(kind, process.env.BENCH_N ? Number(process.env.BENCH_N) : undefined);
    printWealth(wealth[kind]);
  }
  if (only === "wealth") continue;
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
if (wealth.postgres && wealth.pglite) {
  const r = (k: "ovAll" | "page" | "series") => `${(wealth.pglite![k].p95 / wealth.postgres![k].p95).toFixed(2)}×`;
  console.log(`ratio pglite/postgres (wealth): converted overview all-time p95 ${r("ovAll")}, net worth page p95 ${r("page")}, 10-year series p95 ${r("series")} (target ≤ 3×)`);
}
