import { describe, expect, it } from "vitest";
import { nextPossible, nextUtcMidnight, spacedIntervalMs } from "./budget";

const H = 3600_000;
const at9 = Date.UTC(2026, 10, 21, 9);
const plan = (used: number, required = 1) => ({ perDay: 24, used, reserve: 2, required, optional: 0, resetsAt: nextUtcMidnight(at9) });

describe("the request-budget schedule policy", () => {
  it("refills at 00:00 UTC and says so as HH:MM (UTC date)", () => {
    expect(new Date(nextUtcMidnight(at9)).toISOString()).toBe("2026-11-22T00:00:00.000Z");
    expect(nextPossible(Date.UTC(2026, 11, 31, 23, 59))).toBe("next possible at 23:59 (UTC 2026-12-31)");
  });
  it("spreads what is left (minus the reserve) over the rest of the day, never more often than the default", () => {
    // 15 h left, 24 − 2 − 7 = 15 spendable, 1 each → every hour; a 6 h default wins.
    expect(spacedIntervalMs(plan(7), at9, 30 * 60_000)).toBe(H);
    expect(spacedIntervalMs(plan(7), at9, 6 * H)).toBe(6 * H);
    // 5 spendable, 3 per run → 1 run in 15 h.
    expect(spacedIntervalMs(plan(17, 3), at9, 30 * 60_000)).toBe(15 * H);
  });
  it("waits for the refill when the next run would eat the reserve", () => {
    expect(spacedIntervalMs(plan(22), at9, 30 * 60_000)).toBe(15 * H);
    expect(spacedIntervalMs(plan(24), at9, 30 * 60_000)).toBe(15 * H);
  });
});
