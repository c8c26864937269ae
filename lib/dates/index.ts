/**
 * THE calendar-date module. A calendar date is an ISO string `YYYY-MM-DD` (how Postgres
 * `date` columns, providers and statement files give them); an instant is a `Date` or epoch
 * milliseconds. All arithmetic is date-fns in the UTC context (`{ in: utc }`), so no result
 * depends on the process time zone (lib/dates/dates.test.ts runs them under two far-apart
 * zones and compares). Durations in milliseconds use date-fns' constants, not literals.
 */
import { utc } from "@date-fns/utc";
import {
  addDays as fnsAddDays,
  addMonths as fnsAddMonths,
  differenceInCalendarDays,
  endOfMonth as fnsEndOfMonth,
  formatISO,
  getDay,
  startOfDay,
  startOfMonth as fnsStartOfMonth,
  startOfISOWeek,
} from "date-fns";
import { millisecondsInHour } from "date-fns/constants";

export { millisecondsInDay, millisecondsInHour, millisecondsInMinute } from "date-fns/constants";

/** A calendar date, `YYYY-MM-DD`. */
export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const UTC = { in: utc };

/** Midnight UTC of a calendar date, as epoch milliseconds (throws on anything but a real `YYYY-MM-DD`). */
export function isoDateToUtcMs(d: IsoDate): number {
  const m = ISO_DATE.exec(d);
  if (!m) throw new Error(`not a calendar date (YYYY-MM-DD): ${JSON.stringify(d)}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (toIsoDate(ms) !== d) throw new Error(`not a calendar date: ${d}`);
  return ms;
}

/** True for a real calendar date written `YYYY-MM-DD` ("2025-02-30" is not). */
export function isIsoDate(d: string): boolean {
  const m = ISO_DATE.exec(d);
  return !!m && toIsoDate(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) === d;
}

/** The calendar date of an instant in UTC: 2025-03-04T23:30:00Z → "2025-03-04", whatever TZ is. */
export function toIsoDate(instant: Date | number): IsoDate {
  return formatISO(instant, { representation: "date", ...UTC });
}

/** Today in UTC. */
export function todayUtc(now: Date | number = Date.now()): IsoDate {
  return toIsoDate(now);
}

/**
 * The latest calendar date anywhere on Earth at `now` (UTC+14, Kiritimati): a date a user
 * or bank ahead of UTC can already call "today", never one after it.
 */
export function latestDateAnywhere(now: Date | number = Date.now()): IsoDate {
  return toIsoDate(+now + 14 * millisecondsInHour);
}

/** A calendar date plus `n` days (negative: minus). */
export function addDays(d: IsoDate, n: number): IsoDate {
  return toIsoDate(fnsAddDays(isoDateToUtcMs(d), n, UTC));
}

/** A calendar date plus `n` months, its day clamped to the target month's last day (2025-01-31 + 1 → 2025-02-28). */
export function addMonths(d: IsoDate, n: number): IsoDate {
  return toIsoDate(fnsAddMonths(isoDateToUtcMs(d), n, UTC));
}

/**
 * The same day of the month `n` months away, rolling over into the next month when the target
 * month is shorter (2024-02-29 − 12 months → 2023-03-01), as `Date.UTC(y, m + n, d)` does.
 * For "the year ending today" periods; use addMonths to clamp instead.
 */
export function addMonthsRollingOver(d: IsoDate, n: number): IsoDate {
  const day = Number(d.slice(8, 10));
  return addDays(addMonths(startOfMonth(d), n), day - 1);
}

/** Days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return differenceInCalendarDays(isoDateToUtcMs(to), isoDateToUtcMs(from), UTC);
}

/** First day of the date's month. */
export function startOfMonth(d: IsoDate): IsoDate {
  return toIsoDate(fnsStartOfMonth(isoDateToUtcMs(d), UTC));
}

/** Last day of the date's month. */
export function endOfMonth(d: IsoDate): IsoDate {
  return toIsoDate(fnsEndOfMonth(isoDateToUtcMs(d), UTC));
}

/** Monday of the date's ISO week (as PostgreSQL's `date_trunc('week', …)`). */
export function startOfIsoWeek(d: IsoDate): IsoDate {
  return toIsoDate(startOfISOWeek(isoDateToUtcMs(d), UTC));
}

/** Day of the week, 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(d: IsoDate): number {
  return getDay(isoDateToUtcMs(d), UTC);
}

/** An instant `n` whole days (24 h each) later; negative: earlier. */
export function addDaysToInstant(instant: Date | number, n: number): Date {
  return new Date(+fnsAddDays(instant, n, UTC));
}

/** Epoch milliseconds of the UTC midnight that starts the instant's day. */
export function startOfUtcDayMs(instant: Date | number): number {
  return +startOfDay(instant, UTC);
}
