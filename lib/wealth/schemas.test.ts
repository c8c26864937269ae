import { describe, expect, it } from "vitest";
import { holdingValue } from "./manual";
import { latestAllowedDate, manualAccountSchema, manualTransactionSchema, valuationSchema } from "./schemas";
import { parseCsv } from "./import";

const ID = "2f1b8a8e-1111-4a4a-8b8b-123456789abc";
const messages = (r: { success: boolean; error?: { issues: { message: string }[] } }) => (r.success ? [] : r.error!.issues.map((i) => i.message));

describe("manual account input", () => {
  it("accepts a property in lower-case EUR", () => {
    expect(manualAccountSchema.parse({ name: " House ", kind: "property", currency: "eur" })).toEqual({ name: "House", kind: "property", currency: "EUR", institution: null, note: null });
  });
  it("rejects an unknown currency and a missing name with clear messages", () => {
    expect(messages(manualAccountSchema.safeParse({ name: "", kind: "property", currency: "XXX" }))).toEqual(["Give it a name", expect.stringMatching(/Unknown currency/)]);
    expect(messages(manualAccountSchema.safeParse({ name: "A", kind: "boat", currency: "EUR" }))).toEqual(["Pick a type"]);
  });
});

describe("valuation input", () => {
  it("rejects a negative quantity, a negative value and a future date", () => {
    expect(messages(valuationSchema.safeParse({ accountId: ID, date: "2024-01-01", quantity: "-1", unitPrice: "10" }))).toEqual(["A quantity can't be negative"]);
    expect(messages(valuationSchema.safeParse({ accountId: ID, date: "2024-01-01", value: "-5" }))).toEqual([expect.stringMatching(/can't be negative/)]);
    const future = new Date(Date.now() + 3 * 86400_000).toISOString().slice(0, 10);
    expect(messages(valuationSchema.safeParse({ accountId: ID, date: future, value: "5" }))).toEqual(["The date is in the future"]);
    expect(messages(valuationSchema.safeParse({ accountId: ID, date: "2024-02-30", value: "5" }))).toEqual(["Not a real date"]);
  });
  it("needs a value or a quantity and a unit price, not both", () => {
    expect(messages(valuationSchema.safeParse({ accountId: ID, date: "2024-01-01" }))).toEqual(["Enter a value, or a quantity and a unit price"]);
    expect(messages(valuationSchema.safeParse({ accountId: ID, date: "2024-01-01", value: "1", quantity: "1", unitPrice: "1" }))).toEqual([expect.stringMatching(/either a value/)]);
    expect(messages(valuationSchema.safeParse({ accountId: ID, date: "2024-01-01", quantity: "1" }))).toEqual(["Enter the unit price"]);
    expect(valuationSchema.parse({ accountId: ID, date: "2024-01-01", value: "1,250.50" }).value).toBe("1250.50");
  });
  it("today counts as the past in any time zone", () => {
    expect(latestAllowedDate(new Date("2026-01-01T12:00:00Z"))).toBe("2026-01-02");
  });
  it("quantity × unit price is exact, rounded half away from zero to 4 decimals", () => {
    expect(holdingValue("0.5", "16625.08")).toBe("8312.5400");
    expect(holdingValue("0.12345678", "61234.5")).toBe("7559.8142"); // 7559.814194910
    expect(holdingValue("0.00001", "5")).toBe("0.0001"); // exactly 0.00005: half away from zero
    expect(holdingValue("0.00001", "4.9")).toBe("0.0000"); // 0.000049
  });
});

describe("manual transaction input", () => {
  it("rejects a zero amount", () => {
    expect(messages(manualTransactionSchema.safeParse({ accountId: ID, date: "2024-01-01", amount: "0.00" }))).toEqual(["The amount can't be zero"]);
  });
});

describe("parseCsv", () => {
  it("reads quoted fields, semicolons and CRLF", () => {
    expect(parseCsv('account,date,value\r\n"House, Lisbon",2024-01-01,"300000"\r\n')).toEqual([["account", "date", "value"], ["House, Lisbon", "2024-01-01", "300000"]]);
    expect(parseCsv("account;date;value\nCar;2024-01-01;9000,50\n")).toEqual([["account", "date", "value"], ["Car", "2024-01-01", "9000,50"]]);
  });
});
