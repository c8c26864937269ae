import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { sandboxInBuild, sandboxRequested } from "./flag";

const ROOT = path.resolve(import.meta.dirname, "../..");

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(rel));
    else if (/\.(ts|tsx)$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)) out.push(rel);
  }
  return out;
}

describe("sandbox seam", () => {
  it("only lib/sandbox/mount.ts imports an emulator (or node-forge) among the app's production sources", () => {
    const files = [...["app", "lib", "components", "db"].flatMap(sourceFiles), "instrumentation.ts", "proxy.ts", "next.config.ts"];
    expect(files.length).toBeGreaterThan(50);
    const offenders = files.filter((f) => {
      const src = fs.readFileSync(path.join(ROOT, f), "utf8");
      // Type-only imports are erased by the compiler; any value import counts.
      return /^import\s+(?!type\b)[^;]*?from\s+["'](@\/emulators\/|(\.\.\/)+emulators\/|node-forge)/m.test(src) || /import\(\s*["'](@\/emulators\/|node-forge)/.test(src);
    });
    expect(offenders).toEqual(["lib/sandbox/mount.ts"]);
  });

  it("the switch: on/off wins; unset is on outside production and off in production", () => {
    expect(sandboxRequested({ LEDGERLINK_SANDBOX: "on", NODE_ENV: "production" })).toBe(true);
    expect(sandboxRequested({ LEDGERLINK_SANDBOX: "off", NODE_ENV: "development" })).toBe(false);
    expect(sandboxRequested({ NODE_ENV: "production", DATABASE_URL: "postgres://x" })).toBe(false);
    expect(sandboxRequested({ NODE_ENV: "production" })).toBe(false);
    expect(sandboxRequested({ NODE_ENV: "development" })).toBe(true);
    expect(sandboxInBuild("phase-production-build", {})).toBe(false);
    expect(sandboxInBuild("phase-production-build", { LEDGERLINK_SANDBOX: "on" })).toBe(true);
    expect(sandboxInBuild("phase-development-server", {})).toBe(true);
    expect(sandboxInBuild("phase-development-server", { LEDGERLINK_SANDBOX: "off" })).toBe(false);
  });
});
