import { spawnSync } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const FIX = path.resolve(ROOT, "../shared/fixtures/external");
const run = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "scripts/statement.ts", ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });

describe("npm run statement", () => {
  it("prints the preview as JSON for a statement file", () => {
    const r = run(path.join(FIX, "mt940/wolph-betterplace_with_binary_character.sta"));
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      format: "mt940",
      statements: [
        { account: "51230800/0000007055", currency: "EUR", transactions: 3, pending: 0, sum: "-180186.75", from: "2010-03-18", to: "2010-03-19", closingBalance: "199929.02", rejected: [] },
        { account: "51230800/0000007304", currency: "EUR", transactions: 1, pending: 0, sum: "1120.00", from: "2010-03-18", to: "2010-03-19", closingBalance: "131193.19", rejected: [] },
      ],
      errors: [],
    });
  }, 120_000);

  it("maps CSV columns from --csv-map", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "stmt-cli-"));
    const file = path.join(dir, "x.csv");
    writeFileSync(file, "When;What;How much\n03/04/2024;Tea;-2,50\n05/04/2024;Gift;10,00\n");
    const r = run(file, "--csv-map", "date=When,amount=How much,description=What", "--date-order", "mdy");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).statements[0]).toMatchObject({ transactions: 2, sum: "7.50", from: "2024-03-04", to: "2024-05-04" });
  }, 120_000);

  it("a file that cannot be read exits 1 with a clear message on stderr", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "stmt-cli-"));
    const file = path.join(dir, "notes.txt");
    writeFileSync(file, "hello world");
    const r = run(file);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/statement: unrecognised file: not OFX, QFX, CAMT\.053, MT940, QIF or CSV/);
    const missing = run(path.join(dir, "nope.ofx"));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/no such file/);
  }, 120_000);

  it("refuses a file of 50 MB with a clear message and exit code 1", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "stmt-cli-"));
    const file = path.join(dir, "big.csv");
    writeFileSync(file, Buffer.alloc(50 * 1024 * 1024, 10));
    const r = run(file);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("big.csv is 50.0 MB; statements must be smaller than 50 MB");
  }, 120_000);
});
