import { describe, expect, it } from "vitest";
import { niceTicks, pct } from "./scale";

describe("chart axes", () => {
  it("net worth is scaled to the data, not from 0", () => {
    const t = niceTicks(101_250, 108_900, { zero: false });
    expect(t[0]).toBeGreaterThan(95_000);
    expect(t[0]!).toBeLessThanOrEqual(101_250);
    expect(t.at(-1)!).toBeGreaterThanOrEqual(108_900);
    expect(t.at(-1)!).toBeLessThan(115_000);
  });
  it("bars include 0; round steps; negative data; a flat series still gets a range", () => {
    expect(niceTicks(0, 870)).toEqual([0, 250, 500, 750, 1000]);
    expect(niceTicks(-1200, 300, { zero: false })[0]).toBeLessThanOrEqual(-1200);
    const flat = niceTicks(5000, 5000, { zero: false });
    expect(flat[0]!).toBeLessThan(5000);
    expect(flat.at(-1)!).toBeGreaterThan(5000);
  });
  it("positions", () => {
    expect(pct(50, 0, 100)).toBe(50);
    expect(pct(1, 1, 1)).toBe(0);
  });
});
