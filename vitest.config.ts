import { randomBytes } from "node:crypto";
import path from "node:path";
import { defineConfig } from "vitest/config";

const root = import.meta.dirname;
// Throwaway secrets for this test run only (never the app's .data/secrets.json).
process.env.AUTH_SECRET ??= randomBytes(32).toString("base64url");
process.env.ENCRYPTION_KEYS ??= `test:${randomBytes(32).toString("base64")}`;
process.env.LEDGERLINK_DATA_DIR ??= ".test-data/vitest";

const shared = {
  resolve: {
    alias: {
      "@": root,
      // Tests run with the offline sandbox built in (next.config.ts decides it for real builds).
      "ledgerlink-sandbox-mount": path.join(root, "lib/sandbox/mount.ts"),
      // `server-only` throws outside React Server Components; tests import server modules directly.
      "server-only": path.join(root, "test/empty.ts"),
    },
  },
};

/**
 * Three projects: unit tests once, and every integration test (`*.int.test.ts`) twice —
 * on embedded PGlite and on the real PostgreSQL server (TEST_DATABASE_URL).
 */
export default defineConfig({
  test: {
    projects: [
      { ...shared, test: { name: "unit", include: ["{lib,db,emulators,components}/**/*.test.ts"], exclude: ["**/*.int.test.ts", "**/*.pg.test.ts", "node_modules/**"] } },
      {
        ...shared,
        test: {
          name: "pglite",
          include: ["{lib,db,emulators}/**/*.int.test.ts"],
          env: { LL_TEST_DB: "pglite" },
          // next-auth imports "next/server" without an extension: let Vite resolve it (tests drive its real handlers).
          server: { deps: { inline: ["next-auth"] } },
          execArgv: ["--expose-gc"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        ...shared,
        test: {
          name: "postgres",
          // *.pg.test.ts: real worker processes sharing one server (PGlite allows one process).
          include: ["{lib,db,emulators}/**/*.int.test.ts", "lib/**/*.pg.test.ts"],
          env: { LL_TEST_DB: "postgres" },
          server: { deps: { inline: ["next-auth"] } },
          execArgv: ["--expose-gc"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
