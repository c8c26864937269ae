import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // PGlite ships WASM + data files it locates at run time; bundling it breaks that.
  serverExternalPackages: ["@electric-sql/pglite", "postgres", "pg-boss", "pg"],
  poweredByHeader: false,
  // We deliberately do not enable cacheComponents: almost every page is per-user and
  // per-request (it reads the session), so there is nothing static to prerender.
};

export default nextConfig;
