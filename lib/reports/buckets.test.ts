import { describe, expect, it } from "vitest";
import { parseFilters } from "@/lib/transactions/filters";
import { addDays } from "@/lib/dates";
import { bucketEnd, bucketRange, bucketStart, bucketStarts, bucketUnitFor, drill, transactionsHref } from "./buckets";
import { overviewHref, periodLinks, yearAgo } from "./overview-filters";

describe("cash-flow buckets", () => {
  it("weeks for up to 3 months, months for up to 2 years, quarters beyond", () => {
    expect(bucketUnitFor("2026-08-22", "2026-11-21")).toBe("week");
    expect(bucketUnitFor("2026-08-01", "2026-11-21")).toBe("month");
    expect(bucketUnitFor("2025-11-22", "2026-11-21")).toBe("month");
    expect(bucketUnitFor("2024-11-22", "2026-11-21")).toBe("month");
    expect(bucketUnitFor("2024-10-01", "2026-11-21")).toBe("quarter");
    expect(bucketUnitFor("2019-01-01", "2026-11-21")).toBe("quarter");
  });

  it("weeks start on Monday (as PostgreSQL's date_trunc), months and quarters on their first day", () => {
    expect(bucketStart("week", "2026-01-01")).toBe("2025-12-29"); // a Thursday
    expect(bucketStart("week", "2026-01-04")).toBe("2025-12-29"); // Sunday
    expect(bucketStart("week", "2026-01-05")).toBe("2026-01-05"); // Monday
    expect(bucketStart("month", "2026-02-28")).toBe("2026-02-01");
    expect(bucketStart("quarter", "2026-05-31")).toBe("2026-04-01");
    expect(bucketEnd("week", "2025-12-29")).toBe("2026-01-04");
    expect(bucketEnd("month", "2024-02-01")).toBe("2024-02-29");
    expect(bucketEnd("quarter", "2026-10-01")).toBe("2026-12-31");
  });

  it("a bucket's link is clipped to the period; every bucket of the period is listed once", () => {
    expect(bucketRange("week", "2025-12-29", { from: "2026-01-01", to: "2026-01-02" })).toEqual({ from: "2026-01-01", to: "2026-01-02" });
    expect(bucketRange("month", "2026-03-01", {})).toEqual({ from: "2026-03-01", to: "2026-03-31" });
    const weeks = bucketStarts("week", "2026-01-01", "2026-03-31");
    expect(weeks[0]).toBe("2025-12-29");
    expect(weeks.at(-1)).toBe("2026-03-30");
    expect(weeks).toHaveLength(14);
    for (let i = 1; i < weeks.length; i++) expect(weeks[i]).toBe(addDays(weeks[i - 1]!, 7));
    expect(bucketStarts("quarter", "2025-02-10", "2026-01-01")).toEqual(["2025-01-01", "2025-04-01", "2025-07-01", "2025-10-01", "2026-01-01"]);
  });

  it("drill-down links carry the whole filter (transfers left out visibly) and parse back with the one filter schema", () => {
    const f = { from: "2026-01-01", to: "2026-03-31", account: ["0b6f1d1e-4c55-4b8e-9c1f-3a2b1c0d9e8f"], exclude_type: ["transfer"], q: "café 50%" };
    const href = drill.bucket(f, "month", "2026-02-01", "out");
    expect(href).toBe("/transactions?from=2026-02-01&to=2026-02-28&account=0b6f1d1e-4c55-4b8e-9c1f-3a2b1c0d9e8f&direction=out&q=caf%C3%A9+50%25&exclude_type=transfer");
    const parsed = parseFilters(new URL(href, "http://x").searchParams);
    expect(parsed.ok && parsed.filters).toMatchObject({ from: "2026-02-01", to: "2026-02-28", direction: "out", q: "café 50%", exclude_type: ["transfer"] });
    expect(drill.merchant(f, "Joe's Pizza & Co")).toContain("merchant=Joe%27s+Pizza+%26+Co");
    expect(drill.fees({})).toBe("/transactions?direction=out&category=Fees");
    expect(transactionsHref({ ...f, cursor: "abc", limit: 10, sort: "amount" } as never)).not.toMatch(/cursor|limit|sort/);
  });

  it("the period links keep every other filter and set only `from`", () => {
    expect(yearAgo("2026-11-21")).toBe("2025-11-22");
    expect(yearAgo("2024-02-29")).toBe("2023-03-02"); // no Feb 29 in 2023: Mar 1, plus one day
    const links = periodLinks({ from: "2025-11-22", exclude_type: ["transfer"], category: ["Groceries"] }, "2026-11-21", "2020-05-01");
    expect(links.map((l) => [l.label, l.filters.from, l.current])).toEqual([
      ["3 months", "2026-08-22", false],
      ["1 year", "2025-11-22", true],
      ["This year", "2026-01-01", false],
      ["All time", "2020-05-01", false],
    ]);
    expect(overviewHref(links[0]!.filters, "native")).toBe("/?from=2026-08-22&category=Groceries&exclude_type=transfer&amounts=native");
  });
});
