import type { NextConfig } from "next";
import { sandboxInBuild } from "./lib/sandbox/flag";
import { HSTS, NO_STORE, securityHeaders } from "./lib/http/security-headers";

/**
 * The offline sandbox (the local emulators, lib/sandbox/mount.ts) is compiled in only
 * for `next dev` or when LEDGERLINK_SANDBOX=on at build time (`npm run demo`, the e2e
 * build). Otherwise the mount resolves to lib/sandbox/off.ts: no emulator module, and
 * no node-forge, is in the server bundle (test: lib/sandbox/build-output.test.ts).
 */
export default function config(phase: string): NextConfig {
  const mount = sandboxInBuild(phase) ? "./lib/sandbox/mount.ts" : "./lib/sandbox/off.ts";
  return {
    // A second output folder lets the production-build check run beside the e2e build.
    distDir: process.env.LEDGERLINK_DIST_DIR || ".next",
    // PGlite ships WASM + data files it locates at run time; bundling it breaks that.
    serverExternalPackages: ["@electric-sql/pglite", "postgres", "pg-boss", "pg"],
    poweredByHeader: false,
    turbopack: { resolveAlias: { "ledgerlink-sandbox-mount": mount } },
    webpack: (cfg: { resolve: { alias: Record<string, string> } }) => {
      cfg.resolve.alias["ledgerlink-sandbox-mount"] = new URL(mount, import.meta.url).pathname;
      return cfg;
    },
    // We deliberately do not enable cacheComponents: almost every page is per-user and
    // per-request (it reads the session), so there is nothing static to prerender.
    async headers() {
      return [
        { source: "/:path*", headers: securityHeaders() },
        { source: "/:path*", has: [{ type: "header", key: "x-forwarded-proto", value: "https" }], headers: [HSTS] },
        // Per-user JSON, exports and every signed-in page: never stored by a browser or proxy cache.
        { source: "/api/:path*", headers: [NO_STORE] },
        { source: "/((?!_next/static|_next/image|sandbox/|favicon.ico).*)", headers: [NO_STORE] },
      ];
    },
  };
}
