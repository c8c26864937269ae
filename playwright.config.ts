import { randomBytes } from "node:crypto";
import { defineConfig, devices } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? 3210);
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * The database behind the web server: E2E_DB=pglite (default) → a fresh embedded database;
 * E2E_DB=postgres → a fresh throwaway database `ll_e2e_<port>` on the PostgreSQL server
 * (TEST_DATABASE_URL), recreated before the server starts. scripts/test-all.mjs runs both.
 */
const DB = process.env.E2E_DB === "postgres" ? "postgres" : "pglite";
const pgName = `ll_e2e_${PORT}`;
const pgUrl = (() => {
  const u = new URL(process.env.TEST_DATABASE_URL ?? "postgres://root@127.0.0.1:5432/test");
  u.pathname = `/${pgName}`;
  return u.toString();
})();
const prepare = DB === "postgres" ? `node scripts/e2e-db.mjs reset ${pgName}` : "rm -rf .test-data/e2e";
// Production with DATABASE_URL requires explicit secrets: throwaway ones for this run.
const pgEnv: Record<string, string> = DB === "postgres" ? { DATABASE_URL: pgUrl, AUTH_SECRET: randomBytes(32).toString("base64url"), ENCRYPTION_KEYS: `e2e:${randomBytes(32).toString("base64")}` } : { DATABASE_URL: "" };

/**
 * E2E against the production build with the sandbox built in (`LEDGERLINK_SANDBOX=on npx next build`
 * first; scripts/test-all.mjs does it)
 * on a fresh database (see above), in Debian's Chromium.
 */
export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"], ["json", { outputFile: `reports/e2e-${DB}.json` }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath: chromium,
          args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        },
      },
    },
  ],
  webServer: {
    command: `${prepare} && next start -p ${PORT} -H 127.0.0.1`,
    url: `http://127.0.0.1:${PORT}/api/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    // Loopback only: the local Plaid calls back into this server (SDK base path, webhooks).
    env: { LEDGERLINK_SANDBOX: "on", LEDGERLINK_DATA_DIR: ".test-data/e2e", NODE_ENV: "production", ...pgEnv, APP_URL: `http://127.0.0.1:${PORT}`, PLAID_CLIENT_ID: "", PLAID_SECRET: "", CRON_SECRET: "e2e-cron-secret", LEDGERLINK_WEBHOOK_ALLOW_PRIVATE: "on" },
    stdout: "ignore",
    stderr: "pipe",
  },
});
