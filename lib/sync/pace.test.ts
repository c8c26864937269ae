import { describe, expect, it } from "vitest";
import { fakeClock } from "@/test/sync-harness";
import { pacer } from "./pace";

/** The most calls that started inside any half-open 60-second span. */
const busiestMinute = (starts: number[]) => Math.max(0, ...starts.map((s) => starts.filter((t) => t >= s && t < s + 60_000).length));

describe("pacer (requests per minute)", () => {
  it("instant calls: the third of a 2-per-minute budget waits a minute, the fifth another", async () => {
    const clock = fakeClock(0);
    const pace = pacer(2, clock);
    const starts: number[] = [];
    for (let i = 0; i < 5; i++) {
      await pace();
      starts.push(clock.now());
    }
    expect(starts).toEqual([0, 0, 60_000, 60_000, 120_000]);
    expect(clock.slept).toEqual([60_000, 60_000]);
    expect(busiestMinute(starts)).toBe(2);
  });

  it("calls already spread out never wait; a burst after a pause waits only for what is left of the minute", async () => {
    const clock = fakeClock(0);
    const pace = pacer(3, clock);
    for (let i = 0; i < 6; i++) {
      await pace();
      clock.advance(20_000); // 3 a minute exactly
    }
    expect(clock.slept).toEqual([]);
    const starts: number[] = [];
    clock.set(200_000);
    for (let i = 0; i < 4; i++) {
      await pace();
      starts.push(clock.now());
      clock.advance(1_000);
    }
    // 200 s, 201 s, 202 s, then the fourth waits until the first is a minute old (260 s).
    expect(starts).toEqual([200_000, 201_000, 202_000, 260_000]);
    expect(clock.slept).toEqual([57_000]);
  });

  it("no limit, or a nonsense one: never waits", async () => {
    for (const limit of [undefined, null, 0]) {
      const clock = fakeClock(0);
      const pace = pacer(limit, clock);
      for (let i = 0; i < 100; i++) await pace();
      expect(clock.slept).toEqual([]);
    }
  });
});
