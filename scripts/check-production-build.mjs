#!/usr/bin/env node
// Proves the production build carries no sandbox: builds with LEDGERLINK_SANDBOX=off into
// .next-prod (unless --no-build and it exists), scans the server output for emulator code,
// then starts it and checks /sandbox/* answers 404 and only configured providers are offered.
// Usage: node scripts/check-production-build.mjs [--no-build] [--port 3312]
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const DIST = ".next-prod";
const args = process.argv.slice(2);
const port = Number(args[args.indexOf("--port") + 1] || 3312);
const env = { ...process.env, LEDGERLINK_SANDBOX: "off", LEDGERLINK_DIST_DIR: DIST, NODE_ENV: "production" };

if (!args.includes("--no-build") || !fs.existsSync(DIST)) {
  const b = spawnSync("npx", ["next", "build"], { stdio: "inherit", env });
  if (b.status !== 0) throw new Error("next build failed");
}

// Strings that exist only in emulator modules (or node-forge, which only the test PKI uses).
export const MARKERS = [
  "emulator-secret-not-real", // emulators/plaid (EMULATOR_SECRET)
  "local-finqware-secret-not-real", // emulators/finqware
  "app_ledgerlink_local", // emulators/teller (TELLER_APP_ID)
  "Missing certificate: Retry request using your Teller client certificate", // emulators/teller
  "ledgerlink-demo-bank-emulator", // emulators/demo (token signing key)
  "forge.pki", // node-forge
  "Gopher Loans & Brokerage", // emulators/simplefin (sandbox institution)
  "Full authentication is required to access this resource", // emulators/ebank
];

function scan(dir) {
  const hits = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(js|mjs|cjs|json)$/.test(e.name) && fs.statSync(p).size < 20_000_000) {
        const s = fs.readFileSync(p, "utf8");
        for (const m of MARKERS) if (s.includes(m)) hits.push(`${path.relative(DIST, p)}: ${m}`);
      }
    }
  };
  walk(dir);
  return hits;
}

const files = fs.readdirSync(path.join(DIST, "server"), { recursive: true }).length;
const hits = scan(path.join(DIST, "server"));
console.log(`scanned ${files} server output entries for ${MARKERS.length} emulator markers: ${hits.length} hits`);
for (const h of hits.slice(0, 20)) console.log("  " + h);

const server = spawn("npx", ["next", "start", "-p", String(port), "-H", "127.0.0.1"], {
  env: { ...env, LEDGERLINK_DATA_DIR: ".test-data/prod-check", DATABASE_URL: "", APP_URL: `http://127.0.0.1:${port}`, PLAID_CLIENT_ID: "", PLAID_SECRET: "" },
  stdio: ["ignore", "ignore", "inherit"],
  detached: true,
});
const base = `http://127.0.0.1:${port}`;
let failures = hits.length ? [`${hits.length} emulator markers in the server output`] : [];
try {
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 1000));
  }
  const probes = [
    ["POST", "/sandbox/plaid/sandbox/public_token/create"],
    ["GET", "/sandbox/plaid/link/sandbox/items"],
    ["POST", "/sandbox/teller/connect/enroll"],
    ["GET", "/sandbox/teller/enrollments"],
    ["POST", "/sandbox/finqware/v1/sessions"],
    ["GET", "/sandbox/finqware/sca/x"],
    ["GET", "/sandbox/simplefin/create"],
    ["GET", "/sandbox/ebank/login"],
  ];
  for (const [method, p] of probes) {
    const r = await fetch(base + p, { method, headers: { "content-type": "application/json" }, body: method === "POST" ? "{}" : undefined });
    console.log(`${method} ${p} → ${r.status}`);
    if (r.status !== 404) failures.push(`${method} ${p} answered ${r.status}, not 404`);
  }
} finally {
  try {
    process.kill(-server.pid, "SIGTERM");
  } catch {}
}
if (failures.length) {
  console.error("FAIL: " + failures.join("; "));
  process.exit(1);
}
console.log("OK: the production build has no sandbox");
