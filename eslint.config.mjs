// ESLint (flat config): Next.js' recommended rules (core web vitals + TypeScript) over the
// whole repository, and drizzle's guard against a delete/update without a where clause.
// `npm run lint`; scripts/test-all.mjs runs it too.
import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import drizzle from "eslint-plugin-drizzle";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  {
    rules: {
      // A leading underscore marks a name as deliberately unused, e.g. the fields dropped
      // by `const { secret: _s, ...rest } = row`.
      "@typescript-eslint/no-unused-vars": [
        "warn",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ["**/*.{ts,tsx,mts,cts}"],
    plugins: { drizzle },
    rules: {
      // Every drizzle handle in this codebase is named `db` (the client, or a database
      // passed in) or `tx` (inside db.transaction). A Map/Set's .delete() is not matched.
      "drizzle/enforce-delete-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
      "drizzle/enforce-update-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
    },
  },
  globalIgnores([
    "node_modules/**",
    ".next/**",
    ".next-*/**",
    ".data/**",
    ".test-data/**",
    "reports/**",
    "test-results/**",
    "test-results-*/**",
    "playwright-report/**",
    "next-env.d.ts",
    "db/migrations/**",
  ]),
]);
