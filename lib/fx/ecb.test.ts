import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { parseEcbCsv, parseEcbXml } from "./ecb";

// The real ECB history, read in place (never copied into tests).
const FIXTURE = "../shared/fixtures/external/fx/ecb_eurofxref-hist.csv";

describe("parseEcbCsv on the real ECB history", () => {
  const rates = parseEcbCsv(fs.readFileSync(FIXTURE, "utf8"));
  const at = (date: string, currency: string) => rates.find((r) => r.date === date && r.currency === currency)?.perEur;

  it("reads the first and last published days", () => {
    expect(at("2025-05-09", "USD")).toBe("1.1252");
    expect(at("2025-05-09", "GBP")).toBe("0.8477");
    expect(at("2025-05-09", "IDR")).toBe("18606.59");
    expect(at("1999-01-04", "USD")).toBe("1.1789");
  });
  it("skips N/A (CYP after 2007, RON before 2005-07-01) and the trailing empty column", () => {
    expect(at("2025-05-09", "CYP")).toBeUndefined();
    expect(at("2005-06-30", "RON")).toBeUndefined();
    expect(at("2005-07-01", "RON")).toBe("3.603");
    expect(rates.some((r) => r.currency === "")).toBe(false);
  });
  it("has one row per business day (6,747) and no weekend days", () => {
    const days = new Set(rates.map((r) => r.date));
    expect(days.size).toBe(6747);
    expect([...days].some((d) => [0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay()))).toBe(false);
    expect(days.has("2025-04-18")).toBe(false); // Good Friday (TARGET holiday)
  });
  it("refuses a file that is not the ECB format", () => {
    expect(() => parseEcbCsv("Day,USD\n2025-01-01,1\n")).toThrow(/not an ECB/);
    expect(() => parseEcbCsv("Date,USD,\n2025-01-01,2x,\n")).toThrow(/bad rate/);
  });
});

describe("parseEcbXml (daily / 90-day feed shape)", () => {
  it("reads cubes per day", () => {
    const xml = `<gesmes:Envelope><Cube><Cube time='2025-05-09'><Cube currency='USD' rate='1.1252'/><Cube currency='JPY' rate='163.36'/></Cube></Cube></gesmes:Envelope>`;
    expect(parseEcbXml(xml)).toEqual([
      { date: "2025-05-09", currency: "USD", perEur: "1.1252" },
      { date: "2025-05-09", currency: "JPY", perEur: "163.36" },
    ]);
    expect(() => parseEcbXml("<html>maintenance</html>")).toThrow(/no rates/);
  });
});
