import type { NextConfig } from "next";
import { HSTS, NO_STORE, securityHeaders } from "./lib/http/security-headers";

const nextConfig: NextConfig = {
  // PGlite ships WASM + data files it locates at run time; bundling it breaks that.
  serverExternalPackages: ["@electric-sql/pglite", "postgres"],
  poweredByHeader: false,
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

export default nextConfig;
