import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { openDatabase } from "./client";
import { migrateDatabase } from "./migrate";

const mode = (p: string) => fs.statSync(p).mode & 0o777;
const all = (dir: string): string[] => fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).map((f) => path.join(dir, f));

let tmp = "";
const oldUmask = process.umask();
afterEach(() => {
  process.umask(oldUmask);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe("embedded data folder permissions", () => {
  it("a new folder is 0700 and every database file 0600, even under a permissive umask", { timeout: 120_000 }, async () => {
    process.umask(0);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ll-dd-"));
    const dir = path.join(tmp, "data");
    const database = await openDatabase({ dataDir: dir });
    await migrateDatabase(database);
    await database.close();
    expect(mode(dir)).toBe(0o700);
    const files = all(dir);
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) expect([f, mode(f)]).toEqual([f, fs.statSync(f).isDirectory() ? 0o700 : 0o600]);
  });

  it("an existing world-readable folder is fixed at start, with a log line", { timeout: 120_000 }, async () => {
    process.umask(0);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ll-dd-"));
    const dir = path.join(tmp, "data");
    fs.mkdirSync(dir, { mode: 0o777 });
    fs.writeFileSync(path.join(dir, "secrets.json"), "{}", { mode: 0o666 });
    fs.chmodSync(dir, 0o777);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const database = await openDatabase({ dataDir: dir });
    await database.close();
    expect(mode(dir)).toBe(0o700);
    expect(mode(path.join(dir, "secrets.json"))).toBe(0o600);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/Made 2 file\(s\) in the data folder .* private/));
    warn.mockRestore();
  });
});
