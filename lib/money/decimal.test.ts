import { describe, expect, it } from "vitest";
import { canonical, fromUnits, toUnits } from "./decimal";

describe("decimal", () => {
  it("canonicalises without floats", () => {
    expect(canonical("-12.3400")).toBe("-12.34");
    expect(canonical("0012.50")).toBe("12.5");
    expect(canonical("-0.00")).toBe("0");
    expect(canonical("100")).toBe("100");
    expect(() => canonical("1e3")).toThrow();
    expect(() => canonical("12.")).toThrow();
    // already-canonical strings come back as they are; the rest are normalised
    for (const c of ["0", "-1", "0.5", "-0.05", "10", "1200.01"]) expect(canonical(c)).toBe(c);
    expect(canonical("-0")).toBe("0");
    expect(canonical("-00.50")).toBe("-0.5");
    expect(canonical("10.10")).toBe("10.1");
  });
  it("converts to exact minor units and back", () => {
    expect(toUnits("0.1") + toUnits("0.2")).toBe(toUnits("0.3"));
    expect(toUnits("-0.01", 2)).toBe(-1n);
    expect(toUnits("92233720368547.7580", 4)).toBe(922337203685477580n);
    expect(toUnits("-0.5", 2)).toBe(-50n);
    expect(toUnits("12", 0)).toBe(12n);
    expect(toUnits("007.5", 6)).toBe(7_500_000n);
    expect(fromUnits(-1n)).toBe("-0.01");
    expect(fromUnits(123456n)).toBe("1234.56");
    expect(() => toUnits("1.23456", 4)).toThrow(/more than 4 decimals/);
  });
});
