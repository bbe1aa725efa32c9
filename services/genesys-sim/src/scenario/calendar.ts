import { DateTime } from 'luxon';
import { z } from 'zod';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** `YYYY-MM-DDTHH:mm[:ss[.SSS]]`, a wall time without zone. */
export const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;
const CLOCK_TIME = /^\d{2}:\d{2}(:\d{2})?$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Whether `value` is `YYYY-MM-DD` naming a day that exists (`2024-02-29` yes, `2023-02-29` and `2024-02-30` no). */
export function isCalendarDate(value: string): boolean {
  return DATE.test(value) && DateTime.fromISO(value, { zone: 'utc' }).isValid;
}

/** Whether `value` is a wall time `YYYY-MM-DDTHH:mm[:ss[.SSS]]` on an existing day with hours 00-23. */
export function isWallTime(value: string): boolean {
  return LOCAL_DATE_TIME.test(value) && DateTime.fromISO(value, { zone: 'utc' }).isValid;
}

/** Whether `value` is a clock time `HH:mm[:ss]` with hours 00-23 and minutes and seconds 00-59. */
export function isClockTime(value: string): boolean {
  return CLOCK_TIME.test(value) && DateTime.fromISO(`2000-01-01T${value}`, { zone: 'utc' }).isValid;
}

/** Whether `value` is an ISO instant with `Z` or an offset, on an existing day. */
export function isIsoInstant(value: string): boolean {
  return ISO_INSTANT.test(value) && DateTime.fromISO(value, { setZone: true }).isValid;
}

/** A string schema accepting what `test` accepts; the message quotes the refused value. */
function checked(test: (value: string) => boolean, expected: string) {
  return z.string().refine(test, { error: (iss) => `${JSON.stringify(iss.input)}: expected ${expected}` });
}

export const calendarDateSchema = checked(isCalendarDate, 'an existing calendar date YYYY-MM-DD');
export const wallTimeSchema = checked(isWallTime, 'an existing wall time YYYY-MM-DDTHH:mm[:ss]');
export const clockTimeSchema = checked(isClockTime, 'a clock time HH:mm[:ss] (00:00 to 23:59:59)');
/** A schedule time: an MU-local wall time or an ISO instant, on an existing day. */
export const scheduleTimeSchema = checked(
  (v) => isWallTime(v) || isIsoInstant(v),
  'an existing wall time YYYY-MM-DDTHH:mm[:ss] or an ISO instant',
);
