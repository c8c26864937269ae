import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Schema vs migrations: `drizzle-kit generate` run against a scratch copy of
 * db/migrations must find nothing to write. If it writes a file, someone changed
 * db/schema/ without generating (and committing) the migration.
 */
const ROOT = path.resolve(import.meta.dirname, "..");

function generateInto(dir: string): string[] {
  const config = path.join(dir, "drizzle.config.json");
  fs.writeFileSync(config, JSON.stringify({ dialect: "postgresql", schema: path.join(ROOT, "db/schema/index.ts"), out: path.join(dir, "migrations"), strict: true }));
  execFileSync(path.join(ROOT, "node_modules/.bin/drizzle-kit"), ["generate", "--config", config, "--name", "drift"], { cwd: ROOT, stdio: "pipe", timeout: 120_000 });
  return fs.readdirSync(path.join(dir, "migrations")).filter((f) => f.endsWith(".sql"));
}

describe("migration drift", () => {
  it("the committed migrations produce exactly the schema in db/schema/", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ll-drift-"));
    try {
      fs.cpSync(path.join(ROOT, "db/migrations"), path.join(dir, "migrations"), { recursive: true });
      const before = fs.readdirSync(path.join(dir, "migrations")).filter((f) => f.endsWith(".sql"));
      const after = generateInto(dir);
      expect(after.filter((f) => !before.includes(f))).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);

  it("and would notice a schema change (a migration folder missing its last migration yields a new file)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ll-drift-"));
    try {
      fs.mkdirSync(path.join(dir, "migrations"));
      const after = generateInto(dir);
      expect(after.length).toBe(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
