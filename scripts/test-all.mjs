#!/usr/bin/env node
// Every test: Vitest (unit + integration on PGlite AND PostgreSQL), ESLint, then the production
// build and Playwright in Chromium on PGlite AND PostgreSQL. Ends with one line: "N passed, N failed".
import { spawnSync } from "node:child_process";
import fs from "node:fs";

fs.rmSync("reports", { recursive: true, force: true });
fs.mkdirSync("reports", { recursive: true });

const run = (cmd, args, env = {}) => {
  console.log(`\n$ ${cmd} ${args.join(" ")}`);
  return spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, ...env } }).status ?? 1;
};
const readJson = (f) => {
  try {
    return JSON.parse(fs.readFileSync(f, "utf8"));
  } catch {
    return null;
  }
};

let passed = 0;
let failed = 0;
let broken = false;

const vitestStatus = run("npx", ["vitest", "run", "--reporter=default", "--reporter=json", "--outputFile=reports/vitest.json"]);
const v = readJson("reports/vitest.json");
if (v) {
  passed += v.numPassedTests;
  failed += v.numFailedTests + (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
}
if (!v || (vitestStatus !== 0 && v.numFailedTests === 0)) broken = true;

// ESLint over the whole repository (eslint.config.mjs), warnings included: one item.
if (run("npm", ["run", "--silent", "lint"]) !== 0) {
  console.error("lint failed");
  failed++;
} else passed++;

// The production build must carry no emulator and answer 404 on /sandbox/* (its own output folder).
if (run("node", ["scripts/check-production-build.mjs"]) !== 0) {
  console.error("production build check failed");
  failed++;
} else passed++;

const buildStatus = run("npx", ["next", "build"], { NODE_ENV: "production", LEDGERLINK_SANDBOX: "on" });
if (buildStatus !== 0) {
  console.error("next build failed");
  broken = true;
} else {
  // The same Playwright suite on both databases: embedded PGlite, then a fresh throwaway
  // PostgreSQL database (created and dropped by scripts/e2e-db.mjs via the config).
  for (const db of ["pglite", "postgres"]) {
    const e2eStatus = run("npx", ["playwright", "test"], { E2E_DB: db });
    const p = readJson(`reports/e2e-${db}.json`);
    if (p) {
      console.log(`e2e on ${db}: ${p.stats.expected + (p.stats.flaky ?? 0)} passed, ${p.stats.unexpected + (p.stats.skipped ?? 0)} failed`);
      passed += p.stats.expected + (p.stats.flaky ?? 0);
      failed += p.stats.unexpected + (p.stats.skipped ?? 0);
    }
    if (!p || (e2eStatus !== 0 && p.stats.unexpected === 0)) broken = true;
  }
  run("node", ["scripts/e2e-db.mjs", "drop", `ll_e2e_${process.env.E2E_PORT ?? 3210}`]);
}

if (broken) failed = Math.max(failed, 1);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
