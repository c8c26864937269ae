import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  addDays,
  addDaysToInstant,
  addMonths,
  addMonthsRollingOver,
  dayOfWeek,
  daysBetween,
  endOfMonth,
  isIsoDate,
  isoDateToUtcMs,
  latestDateAnywhere,
  startOfIsoWeek,
  startOfMonth,
  startOfUtcDayMs,
  toIsoDate,
  todayUtc,
} from "./index";

describe("calendar dates", () => {
  it("the calendar date of an instant is its UTC date", () => {
    expect(toIsoDate(new Date("2025-03-04T23:59:59.999Z"))).toBe("2025-03-04");
    expect(toIsoDate(Date.parse("2025-03-05T00:00:00Z"))).toBe("2025-03-05");
    // 23:30 in Los Angeles on Mar 4 is already Mar 5 in UTC
    expect(toIsoDate(new Date("2025-03-04T23:30:00-08:00"))).toBe("2025-03-05");
    expect(todayUtc(Date.parse("2024-12-31T23:00:00Z"))).toBe("2024-12-31");
  });

  it("the latest date anywhere is UTC+14", () => {
    expect(latestDateAnywhere(Date.parse("2025-03-04T09:59:59Z"))).toBe("2025-03-04");
    expect(latestDateAnywhere(Date.parse("2025-03-04T10:00:00Z"))).toBe("2025-03-05");
  });

  it("adds days across month, year and leap-day boundaries", () => {
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(addDays("2023-02-28", 1)).toBe("2023-03-01");
    expect(addDays("2024-12-31", 1)).toBe("2025-01-01");
    expect(addDays("2025-01-01", -1)).toBe("2024-12-31");
    expect(addDays("2025-03-30", 0)).toBe("2025-03-30");
    expect(addDays("2000-01-01", 366)).toBe("2001-01-01");
  });

  it("adds months clamped to the month's end, or rolling over", () => {
    expect(addMonths("2025-01-31", 1)).toBe("2025-02-28");
    expect(addMonths("2024-01-31", 1)).toBe("2024-02-29");
    expect(addMonths("2025-03-31", -1)).toBe("2025-02-28");
    expect(addMonths("2025-11-15", 3)).toBe("2026-02-15");
    expect(addMonthsRollingOver("2024-02-29", -12)).toBe("2023-03-01");
    expect(addMonthsRollingOver("2025-05-31", -3)).toBe("2025-03-03");
    expect(addMonthsRollingOver("2025-11-21", -12)).toBe("2024-11-21");
  });

  it("counts days between dates, signed", () => {
    expect(daysBetween("2024-01-01", "2025-01-01")).toBe(366);
    expect(daysBetween("2025-01-01", "2024-01-01")).toBe(-366);
    expect(daysBetween("2025-03-29", "2025-03-31")).toBe(2); // across Europe's DST change
    expect(daysBetween("2025-03-04", "2025-03-04")).toBe(0);
  });

  it("months and weeks", () => {
    expect(startOfMonth("2025-02-17")).toBe("2025-02-01");
    expect(endOfMonth("2024-02-03")).toBe("2024-02-29");
    expect(endOfMonth("2025-12-31")).toBe("2025-12-31");
    expect(startOfIsoWeek("2025-03-09")).toBe("2025-03-03"); // a Sunday → its Monday
    expect(startOfIsoWeek("2025-03-03")).toBe("2025-03-03");
    expect(dayOfWeek("2025-03-09")).toBe(0);
    expect(dayOfWeek("2025-03-08")).toBe(6);
  });

  it("instants: whole days of 24 h, and the UTC midnight of a day", () => {
    expect(addDaysToInstant(new Date("2025-03-08T12:00:00Z"), 2).toISOString()).toBe("2025-03-10T12:00:00.000Z");
    expect(addDaysToInstant(Date.parse("2025-03-08T12:00:00Z"), -1).toISOString()).toBe("2025-03-07T12:00:00.000Z");
    expect(startOfUtcDayMs(Date.parse("2025-03-08T23:59:00Z"))).toBe(Date.parse("2025-03-08T00:00:00Z"));
  });

  it("refuses what is not a real YYYY-MM-DD", () => {
    expect(isIsoDate("2025-02-28")).toBe(true);
    expect(isIsoDate("2025-02-30")).toBe(false);
    expect(isIsoDate("2025-2-3")).toBe(false);
    expect(isoDateToUtcMs("1970-01-02")).toBe(86_400_000);
    expect(() => addDays("2025-02-30", 1)).toThrow(/calendar date/);
    expect(() => addDays("03/04/2025", 1)).toThrow(/calendar date/);
  });
});

describe("no drift with the process time zone", () => {
  // One probe of every helper, run in a child process per TZ; the results must be identical
  // (and equal to this process's). Los Angeles is UTC−8/−7 with DST; Kiritimati is UTC+14.
  const probe = `
    import * as d from ${JSON.stringify(path.join(import.meta.dirname, "index.ts"))};
    const instants = ["2025-03-09T07:30:00Z", "2025-03-09T10:30:00Z", "2024-12-31T23:59:59Z", "2025-11-02T08:30:00Z"].map(Date.parse);
    const dates = ["2024-02-29", "2025-03-08", "2025-03-09", "2025-03-30", "2025-10-26", "2025-11-02", "2025-12-31", "2011-12-29", "2011-12-30"];
    const out = {
      tz: Intl.DateTimeFormat().resolvedOptions().timeZone,
      toIsoDate: instants.map((i) => d.toIsoDate(i)),
      latest: instants.map((i) => d.latestDateAnywhere(i)),
      startOfDay: instants.map((i) => d.startOfUtcDayMs(i)),
      addDaysToInstant: instants.map((i) => d.addDaysToInstant(i, 1).toISOString()),
      addDays: dates.flatMap((x) => [d.addDays(x, 1), d.addDays(x, -1), d.addDays(x, 30)]),
      addMonths: dates.flatMap((x) => [d.addMonths(x, 1), d.addMonths(x, -12), d.addMonthsRollingOver(x, -12)]),
      between: dates.map((x) => d.daysBetween(x, "2026-01-01")),
      months: dates.flatMap((x) => [d.startOfMonth(x), d.endOfMonth(x)]),
      weeks: dates.flatMap((x) => [d.startOfIsoWeek(x), d.dayOfWeek(x)]),
    };
    process.stdout.write(JSON.stringify(out));
  `;
  const runIn = (tz: string) => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", probe], { env: { ...process.env, TZ: tz }, encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };

  it("Los Angeles and Kiritimati (and Samoa, which skipped 2011-12-30) compute the same dates as UTC", () => {
    const [la, kiri, apia, utc] = ["America/Los_Angeles", "Pacific/Kiritimati", "Pacific/Apia", "UTC"].map(runIn) as Record<string, unknown>[];
    expect(la!.tz).toBe("America/Los_Angeles");
    expect(kiri!.tz).toBe("Pacific/Kiritimati");
    const { tz: _a, ...a } = la!;
    const { tz: _b, ...b } = kiri!;
    const { tz: _c, ...c } = apia!;
    const { tz: _u, ...u } = utc!;
    expect(a).toEqual(u);
    expect(b).toEqual(u);
    expect(c).toEqual(u);
    // and the values are the right ones, not just the same ones
    expect(u.toIsoDate).toEqual(["2025-03-09", "2025-03-09", "2024-12-31", "2025-11-02"]);
    expect((u.addDays as string[]).slice(21, 24)).toEqual(["2011-12-30", "2011-12-28", "2012-01-28"]);
  }, 30_000);
});
