import { describe, expect, it } from "vitest";
import { parseEvery, syncIntervalFor } from "./sync-jobs";
import { workerOptionsFromEnv } from "./index";

describe("schedule settings", () => {
  it("reads LEDGERLINK_SYNC_EVERY in ms, s, m, h, d and refuses anything else with a clear message", () => {
    expect(parseEvery(undefined)).toBeUndefined();
    expect(parseEvery("6h")).toBe(6 * 3_600_000);
    expect(parseEvery("90m")).toBe(90 * 60_000);
    expect(parseEvery("30s")).toBe(30_000);
    expect(parseEvery("1d")).toBe(86_400_000);
    expect(parseEvery("1500")).toBe(1500);
    expect(() => parseEvery("soon")).toThrow('LEDGERLINK_SYNC_EVERY must look like 6h, 90m or 30s (got "soon").');
  });

  it("never schedules more often than the provider's daily budget allows", () => {
    const psd2 = { capabilities: { rateBudget: { syncsPerDay: 4 } } } as never;
    const open = { capabilities: { rateBudget: null } } as never;
    expect(syncIntervalFor(psd2, 3_600_000)).toBe(6 * 3_600_000);
    expect(syncIntervalFor(psd2, 12 * 3_600_000)).toBe(12 * 3_600_000);
    expect(syncIntervalFor(open, 3_600_000)).toBe(3_600_000);
  });

  const fromEnv = (e: Record<string, string>) => workerOptionsFromEnv({ NODE_ENV: "test", ...e });
  it("runs the ECB refresh job only with LEDGERLINK_FX_FETCH=on (optionally from LEDGERLINK_FX_URL)", () => {
    expect(fromEnv({}).fx).toBeUndefined();
    expect(fromEnv({ LEDGERLINK_FX_FETCH: "off" }).fx).toBeUndefined();
    expect(fromEnv({ LEDGERLINK_FX_FETCH: "on" }).fx).toEqual({ url: undefined });
    expect(fromEnv({ LEDGERLINK_FX_FETCH: "on", LEDGERLINK_FX_URL: "http://127.0.0.1:9/feed.xml" }).fx).toEqual({ url: "http://127.0.0.1:9/feed.xml" });
  });
});
