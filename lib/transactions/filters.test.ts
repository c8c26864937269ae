import { describe, expect, it } from "vitest";
import { DEFAULT_FILTERS, filtersToSearchParams, parseFilters } from "./filters";

describe("the transaction filter schema", () => {
  it("has defaults that hide nothing", () => {
    expect(DEFAULT_FILTERS).toEqual({ pending: "include", sort: "date", order: "desc", limit: 50 });
    expect(parseFilters(new URLSearchParams(""))).toEqual({ ok: true, filters: DEFAULT_FILTERS });
  });

  it("parses every filter from a query string, repeated and comma lists alike", () => {
    const a = "11111111-1111-4111-8111-111111111111";
    const b = "22222222-2222-4222-8222-222222222222";
    const r = parseFilters(
      new URLSearchParams(`from=2025-01-01&to=2025-12-31&account=${a},${b}&min=0.01&max=100&direction=out&q=%25off&category=Groceries&category=Dining, out&type=card&pending=exclude&sort=amount&order=asc&limit=200`),
    );
    expect(r).toEqual({
      ok: true,
      filters: { from: "2025-01-01", to: "2025-12-31", account: [a, b], min: "0.01", max: "100", direction: "out", q: "%off", category: ["Groceries", "Dining, out"], type: ["card"], pending: "exclude", sort: "amount", order: "asc", limit: 200 },
    });
  });

  it("treats empty form fields as unset", () => {
    expect(parseFilters({ from: "", q: "", min: "", account: "" })).toEqual({ ok: true, filters: DEFAULT_FILTERS });
  });

  it("refuses bad values with a clear message per field instead of dropping them", () => {
    const r = parseFilters({ from: "2025-02-30", to: "yesterday", min: "-5", max: "1e3", direction: "sideways", limit: "500", sort: "color", account: "not-a-uuid", pending: "maybe" });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.fieldErrors).sort()).toEqual(["account", "direction", "from", "limit", "max", "min", "pending", "sort", "to"]);
    expect(r.fieldErrors.from).toEqual(["That date does not exist."]);
    expect(r.fieldErrors.limit).toEqual(["Page size is at most 200."]);
  });

  it("checks ranges", () => {
    expect(parseFilters({ from: "2025-03-01", to: "2025-02-01" })).toEqual({ ok: false, fieldErrors: { to: ["The end date is before the start date."] } });
    expect(parseFilters({ min: "10.5", max: "10.25" })).toEqual({ ok: false, fieldErrors: { max: ["The maximum is below the minimum."] } });
    expect(parseFilters({ limit: "0" }).ok).toBe(false);
    expect(parseFilters({ limit: "1" }).ok).toBe(true);
  });

  it("round-trips through the URL", () => {
    const r = parseFilters({ from: "2025-01-01", q: "café & co", category: ["A", "B"], sort: "merchant", order: "asc", pending: "only" });
    if (!r.ok) throw new Error();
    expect(parseFilters(filtersToSearchParams(r.filters))).toEqual(r);
  });

  it("refuses a NUL byte (or another control character) in free text and a cursor that is not base64url, with a clear message", () => {
    const r = parseFilters({ q: "coffee\u0000", category: "Food\u0001", cursor: "abc$%" });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.fieldErrors.q).toEqual([expect.stringMatching(/NUL byte/)]);
    expect(r.fieldErrors.category).toEqual([expect.stringMatching(/control characters/)]);
    expect(r.fieldErrors.cursor).toEqual([expect.stringMatching(/page link is not valid/)]);
    expect(parseFilters({ q: "café\tbar" }).ok).toBe(true);
  });
});

