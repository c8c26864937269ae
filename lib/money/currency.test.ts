import { describe, expect, it } from "vitest";
import { formatMoney } from "@/lib/format";
import { currenciesByMinorUnits, fixedForCurrency, minorUnits, roundToMinorUnits, tooManyDecimals } from "./currency";

describe("ISO 4217 minor units", () => {
  it("JPY/KRW/ISK have none, EUR/USD two, BHD/KWD three; unknown codes two", () => {
    expect([minorUnits("JPY"), minorUnits("KRW"), minorUnits("ISK"), minorUnits("CLP")]).toEqual([0, 0, 0, 0]);
    expect([minorUnits("EUR"), minorUnits("USD"), minorUnits("GBP"), minorUnits("HUF")]).toEqual([2, 2, 2, 2]);
    expect([minorUnits("BHD"), minorUnits("KWD"), minorUnits("OMR"), minorUnits("TND")]).toEqual([3, 3, 3, 3]);
    expect(minorUnits("jpy")).toBe(0);
    expect(minorUnits("XYZ")).toBe(2);
    expect(currenciesByMinorUnits()[0]).toContain("JPY");
    expect(currenciesByMinorUnits()[3]).toEqual(expect.arrayContaining(["BHD", "KWD"]));
    expect(currenciesByMinorUnits()[2]).toBeUndefined();
  });

  it("rounds exactly to the minor units, half away from zero", () => {
    expect(roundToMinorUnits("1234.5", "JPY")).toBe("1235");
    expect(roundToMinorUnits("-1234.5", "JPY")).toBe("-1235");
    expect(roundToMinorUnits("1234.4999", "JPY")).toBe("1234");
    expect(roundToMinorUnits("1.005", "USD")).toBe("1.01"); // a float would say 1.00
    expect(roundToMinorUnits("12.3", "USD")).toBe("12.30");
    expect(roundToMinorUnits("1.2345", "BHD")).toBe("1.235");
    expect(roundToMinorUnits("-0.0004", "KWD")).toBe("0.000");
    expect(roundToMinorUnits("7", "BHD")).toBe("7.000");
  });

  it("files write the currency's decimals and never drop a significant digit", () => {
    expect(fixedForCurrency("1234.0000", "JPY")).toBe("1234");
    expect(fixedForCurrency("-1234.0000", "JPY")).toBe("-1234");
    expect(fixedForCurrency("12.3000", "USD")).toBe("12.30");
    expect(fixedForCurrency("12", "EUR")).toBe("12.00");
    expect(fixedForCurrency("1.2340", "BHD")).toBe("1.234");
    expect(fixedForCurrency("1.2000", "KWD")).toBe("1.200");
    expect(fixedForCurrency("0.1234", "USD")).toBe("0.1234");
    expect(fixedForCurrency("1234.5000", "JPY")).toBe("1234.5");
  });
});

describe("formatMoney by the currency's minor units", () => {
  it("shows yen without decimals, dinars with three, dollars with two", () => {
    expect(formatMoney("1234.0000", "JPY")).toBe("¥1,234");
    expect(formatMoney("1234.5000", "JPY")).toBe("¥1,235");
    expect(formatMoney("-1234.5", "JPY", { signed: true })).toBe("-¥1,235");
    expect(formatMoney("1234.5", "KRW")).toBe("₩1,235");
    expect(formatMoney("1234.5", "USD")).toBe("$1,234.50");
    expect(formatMoney("1.005", "USD")).toBe("$1.01");
    expect(formatMoney("-12.3456", "EUR", { signed: true })).toBe("-€12.35");
    expect(formatMoney("1234.5", "BHD")).toBe("BHD\u00a01,234.500");
    expect(formatMoney("0.1235", "KWD")).toBe("KWD\u00a00.124");
    // something that rounds to zero carries no sign
    expect(formatMoney("-0.4", "JPY", { signed: true })).toBe("¥0");
    expect(formatMoney(null, "JPY")).toBe("—");
  });
});

describe("tooManyDecimals: what a person typed against the currency's minor units", () => {
  it("refuses yen cents and a third dollar decimal; trailing zeros don't count", () => {
    expect(tooManyDecimals("1234.5", "JPY")).toBe("The amount can't have decimals: JPY has no minor unit.");
    expect(tooManyDecimals("1200.00", "jpy")).toBeNull();
    expect(tooManyDecimals("1200", "JPY")).toBeNull();
    expect(tooManyDecimals("12.345", "USD", "The value")).toBe("The value can have at most 2 decimals in USD.");
    expect(tooManyDecimals("-12.340", "USD")).toBeNull();
    expect(tooManyDecimals("1.234", "BHD")).toBeNull();
    expect(tooManyDecimals("1.2345", "BHD")).toBe("The amount can have at most 3 decimals in BHD.");
  });
});
