/**
 * `npm run bench`: performance figures as numbers and ratios (never asserted in tests).
 * BENCH_DAYS shortens the imported history for a quick run; BENCH_ONLY=<section>[,<section>…]
 * picks sections: sync, health, query, jobs, statements, ebank, simplefin (BENCH_SF_DAYS, default 730), wealth,
 * auth, webhooks (BENCH_WEBHOOK_EVENTS, default 10k). Without BENCH_ONLY every section runs except webhooks.
 * BENCH_DB picks one database.
 */
import "./env";
import { benchAuth, printAuth, printAuthRatio } from "./auth";
import { benchQuery, printQuery } from "./query";
import { benchSync, printSync } from "./sync";
import { benchJobs, printJobs } from "./jobs";
import { benchHealth, printHealth } from "./health";
import { benchStatementImport, benchStatementParse, printStatementImport, printStatementParse } from "./statements";
import { benchEbank, printEbank } from "./ebank";
import { benchSimplefin, printSimplefin } from "./simplefin";
import { benchWealth, printWealth } from "./wealth";
import { benchWebhooks, printWebhooks } from "./webhooks";

const days = process.env.BENCH_DAYS ? Number(process.env.BENCH_DAYS) : undefined;
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(",")) : null;
const want = (section: string) => !only || only.has(section);
const results: Record<string, Awaited<ReturnType<typeof benchQuery>>> = {};
const wealth: Record<string, Awaited<ReturnType<typeof benchWealth>>> = {};
const auth: Partial<Record<"postgres" | "pglite", Awaited<ReturnType<typeof benchAuth>>>> = {};
if (want("jobs")) printJobs(await benchJobs());
if (want("statements")) printStatementParse(await benchStatementParse());
// BENCH_DB=postgres|pglite: one database only.
const kinds = (["postgres", "pglite"] as const).filter((k) => !process.env.BENCH_DB || process.env.BENCH_DB === k);
for (const kind of kinds) {
  if (want("auth")) printAuth((auth[kind] = await benchAuth(kind)));
  if (only?.has("webhooks")) printWebhooks(await benchWebhooks(kind));
  if (want("ebank")) printEbank(await benchEbank(kind));
  if (want("simplefin")) printSimplefin(await benchSimplefin(kind));
  if (want("wealth")) {
    wealth[kind] = await benchWealth(kind, process.env.BENCH_N ? Number(process.env.BENCH_N) : undefined);
    printWealth(wealth[kind]);
  }
  let syncRate: number | undefined;
  // the statements section reports its import rate beside the sync engine's first import
  if (want("sync") || want("statements")) {
    const s = await benchSync(kind, days);
    syncRate = s.rows / (s.importMs / 1000);
    printSync(s);
  }
  if (want("statements")) printStatementImport(await benchStatementImport(kind), syncRate);
  if (want("health")) printHealth(await benchHealth(kind, days));
  if (want("query")) {
    results[kind] = await benchQuery(kind, days);
    printQuery(results[kind]);
  }
}
if (auth.postgres && auth.pglite) printAuthRatio(auth.postgres, auth.pglite);
if (results.postgres && results.pglite) {
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  const worst = (r: (typeof results)["pglite"]) => Math.max(...Object.values(r.pages).map((v) => v.p95));
  console.log(`ratio pglite/postgres: worst page p95 ${ratio(worst(results.pglite), worst(results.postgres))}, overview all-time p95 ${ratio(results.pglite.ovAll.p95, results.postgres.ovAll.p95)}, export time ${ratio(results.pglite.export.ms, results.postgres.export.ms)} (target within 3×)`);
}
if (wealth.postgres && wealth.pglite) {
  const r = (k: "ovAll" | "ovAllUi" | "page" | "series") => `${(wealth.pglite![k].p95 / wealth.postgres![k].p95).toFixed(2)}×`;
  console.log(`ratio pglite/postgres (wealth): converted overview all-time p95 ${r("ovAll")} (transfers left out ${r("ovAllUi")}), net worth page p95 ${r("page")}, 10-year series p95 ${r("series")} (target ≤ 3×); ECB history load ${(wealth.postgres.seedMs / 1000).toFixed(1)} s PG, ${(wealth.pglite.seedMs / 1000).toFixed(1)} s PGlite`);
}
