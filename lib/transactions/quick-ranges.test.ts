import { describe, expect, it } from "vitest";
import { quickRanges } from "./quick-ranges";

describe("quickRanges", () => {
  it("uses the local calendar day, across month and year boundaries", () => {
    const r = Object.fromEntries(quickRanges(new Date(2026, 0, 15, 23, 30)).map((x) => [x.label, x]));
    expect(r["This month"]).toEqual({ label: "This month", from: "2026-01-01", to: "2026-01-15" });
    expect(r["Last month"]).toEqual({ label: "Last month", from: "2025-12-01", to: "2025-12-31" });
    expect(r["Last 90 days"]).toEqual({ label: "Last 90 days", from: "2025-10-18", to: "2026-01-15" });
    expect(r["This year"]).toEqual({ label: "This year", from: "2026-01-01", to: "2026-01-15" });
  });
  it("handles a leap-year February", () => {
    const r = Object.fromEntries(quickRanges(new Date(2028, 2, 1, 0, 5)).map((x) => [x.label, x]));
    expect(r["Last month"]).toEqual({ label: "Last month", from: "2028-02-01", to: "2028-02-29" });
  });
});
