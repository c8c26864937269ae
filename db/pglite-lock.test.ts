import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { openDatabase } from "./client";

describe("embedded data directory lock", () => {
  it("a second process on the same data dir fails fast with a clear message", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ll-lock-"));
    const first = await openDatabase({ dataDir: dir });
    try {
      const script = `import { openDatabase } from "./db/client.ts";
        try { await openDatabase({ dataDir: ${JSON.stringify(dir)} }); console.log("OPENED"); }
        catch (e) { console.log(e.name + ": " + e.message); }`;
      const started = Date.now();
      const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8", cwd: process.cwd() });
      expect(r.stdout).toMatch(/DatabaseLockedError: The embedded database in .* is already in use by another Ledgerlink process \(pid \d+\)/);
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await first.close();
    }
    // Released on close: it opens again, and a stale lock (dead pid) is taken over.
    fs.writeFileSync(path.join(dir, "pglite.lock"), JSON.stringify({ pid: 999999 }));
    const again = await openDatabase({ dataDir: dir });
    await again.close();
    // Opening PGlite on disk and spawning a second Node process take seconds on a busy
    // machine: the test bounds the child's time itself, so the default 5 s would only add flakiness.
  }, 60_000);
});
