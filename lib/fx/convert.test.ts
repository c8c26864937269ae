import { describe, expect, it } from "vitest";
import { convertAmount, crossRate, sumDecimals } from "./convert";

describe("convertAmount (exact, to the target currency's minor units, half away from zero)", () => {
  it("converts through EUR: 100 USD → GBP on 2025-05-09 (USD 1.1252, GBP 0.8477)", () => {
    // 100 × 0.8477 / 1.1252 = 75.3377… → 75.34
    expect(convertAmount("100", "1.1252", "0.8477", "GBP")).toBe("75.34");
    expect(convertAmount("-100", "1.1252", "0.8477", "GBP")).toBe("-75.34");
  });
  it("rounds exact halves away from zero, never through floats", () => {
    expect(convertAmount("0.0100", "1", "1.5", "USD")).toBe("0.02"); // 0.015
    expect(convertAmount("-0.0100", "1", "1.5", "USD")).toBe("-0.02");
    expect(convertAmount("0.0100", "1.5", "1", "USD")).toBe("0.01"); // 0.00666…
    expect(convertAmount("0.0030", "1", "1", "USD")).toBe("0.00");
    // 1.005 × 1: a float would give 1.00 (1.005 is 1.00499… in binary)
    expect(convertAmount("1.005", "1", "1", "USD")).toBe("1.01");
  });
  it("handles large amounts and rates exactly (IDR 18606.59 per EUR)", () => {
    expect(convertAmount("123456789012.3456", "1", "18606.59", "IDR")).toBe("2297109855869219.52");
  });
  it("rounds to the target currency's minor units: whole yen, thousandths of a dinar", () => {
    // 100 USD → JPY on 2025-05-09 (USD 1.1252, JPY 163.36 in db/seed/fx): 100 × 163.36 / 1.1252 = 14518.31… → 14518
    expect(convertAmount("100", "1.1252", "163.36", "JPY")).toBe("14518");
    expect(convertAmount("-100", "1.1252", "163.36", "JPY")).toBe("-14518");
    expect(convertAmount("0.0050", "1", "100", "JPY")).toBe("1"); // 0.5 yen: half away from zero
    expect(convertAmount("0.0049", "1", "100", "JPY")).toBe("0");
    // 10 EUR → BHD at 0.4235: 4.235 exactly, kept to the fils
    expect(convertAmount("10", "1", "0.4235", "BHD")).toBe("4.235");
    expect(convertAmount("1", "1", "0.42355", "KWD")).toBe("0.424"); // 0.42355 → 0.424 (half away)
    // 1000 JPY → EUR: cents again (1000 / 163.36 = 6.1214…)
    expect(convertAmount("1000", "163.36", "1", "EUR")).toBe("6.12");
  });
  it("rejects non-decimal input", () => {
    expect(() => convertAmount("1e3", "1", "1", "USD")).toThrow();
    expect(() => convertAmount("1", "0", "1", "USD")).toThrow();
  });
});

describe("crossRate / sumDecimals", () => {
  it("shows the cross rate USD→GBP", () => {
    expect(crossRate("1.1252", "0.8477")).toBe("0.753377");
  });
  it("sums exactly", () => {
    expect(sumDecimals(["0.1", "0.2", "-0.3"])).toBe("0.00");
    expect(sumDecimals(Array.from({ length: 10_000 }, () => "0.01"))).toBe("100.00");
  });
});
