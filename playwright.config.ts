import { defineConfig, devices } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? 3210);
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * E2E against the production build (`npm run build` first; scripts/test-all.mjs does it)
 * on a fresh embedded database, in Debian's Chromium.
 */
export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"], ["json", { outputFile: "reports/e2e.json" }]],
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
    command: `rm -rf .test-data/e2e && next start -p ${PORT} -H 127.0.0.1`,
    url: `http://127.0.0.1:${PORT}/api/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    // Loopback only: the local Plaid calls back into this server (SDK base path, webhooks).
    env: { LEDGERLINK_DATA_DIR: ".test-data/e2e", NODE_ENV: "production", DATABASE_URL: "", APP_URL: `http://127.0.0.1:${PORT}`, PLAID_CLIENT_ID: "", PLAID_SECRET: "", LEDGERLINK_WEBHOOK_ALLOW_PRIVATE: "on" },
    stdout: "ignore",
    stderr: "pipe",
  },
});
