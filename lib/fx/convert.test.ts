import { describe, expect, it } from "vitest";
import { convertAmount, crossRate, sumDecimals } from "./convert";

describe("convertAmount (exact, to the cent, half away from zero)", () => {
  it("converts through EUR: 100 USD → GBP on 2025-05-09 (USD 1.1252, GBP 0.8477)", () => {
    // 100 × 0.8477 / 1.1252 = 75.3377… → 75.34
    expect(convertAmount("100", "1.1252", "0.8477")).toBe("75.34");
    expect(convertAmount("-100", "1.1252", "0.8477")).toBe("-75.34");
  });
  it("rounds exact halves away from zero, never through floats", () => {
    expect(convertAmount("0.0100", "1", "1.5")).toBe("0.02"); // 0.015
    expect(convertAmount("-0.0100", "1", "1.5")).toBe("-0.02");
    expect(convertAmount("0.0100", "1.5", "1")).toBe("0.01"); // 0.00666…
    expect(convertAmount("0.0030", "1", "1")).toBe("0.00");
    // 1.005 × 1: a float would give 1.00 (1.005 is 1.00499… in binary)
    expect(convertAmount("1.005", "1", "1")).toBe("1.01");
  });
  it("handles large amounts and rates exactly (IDR 18606.59 per EUR)", () => {
    expect(convertAmount("123456789012.3456", "1", "18606.59")).toBe("2297109855869219.52");
  });
  it("rejects non-decimal input", () => {
    expect(() => convertAmount("1e3", "1", "1")).toThrow();
    expect(() => convertAmount("1", "0", "1")).toThrow();
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
