// ISO 8601 durations as subscriptions use them (intervals, due dates, reminder offsets, grace periods).
// Written here rather than taken from tinyduration (common/config/values.ts): domain/ is bundled into
// workflows and imports no packages (eslint.config.mjs), and the API needs stricter refusals and
// messages it can hand back in a 400.

export interface IsoDuration {
  /** -1 only for a leading minus, which reminder offsets use ("-P3D": three days before). */
  readonly sign: 1 | -1;
  readonly years: number;
  readonly months: number;
  readonly weeks: number;
  readonly days: number;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
}

/** A duration that cannot be parsed or used; `message` is phrased to follow a parameter name in a 400. */
export class DurationError extends Error {
  override name = 'DurationError';
}

export const SECOND_MS = 1_000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

// ECMAScript's time value range: a result outside it has no ISO string.
const MAX_INSTANT_MS = 8.64e15;

// Nine digits keep every product below (years in months, days in ms) an exact integer.
const PATTERN = /^(-)?P(?:(\d{1,9})Y)?(?:(\d{1,9})M)?(?:(\d{1,9})W)?(?:(\d{1,9})D)?(?:T(?:(\d{1,9})H)?(?:(\d{1,9})M)?(?:(\d{1,9})S)?)?$/;

const EXAMPLES = 'such as P1M, P1W, P14D or PT5S';

export function parseDuration(text: string): IsoDuration {
  if (typeof text !== 'string') throw new DurationError(`must be an ISO 8601 duration ${EXAMPLES}`);
  const shown = JSON.stringify(text);
  if (/[.,]\d/.test(text)) throw new DurationError(`must use whole numbers, without fractions (got ${shown})`);
  const match = PATTERN.exec(text);
  if (!match) throw new DurationError(`must be an ISO 8601 duration ${EXAMPLES} (got ${shown})`);
  const [, minus, y, mo, w, d, h, mi, s] = match;
  if ([y, mo, w, d, h, mi, s].every((part) => part === undefined)) {
    throw new DurationError(`must name at least one unit, ${EXAMPLES} (got ${shown})`);
  }
  if (text.endsWith('T')) throw new DurationError(`must name a unit after "T", as in PT5S (got ${shown})`);
  // ISO 8601-1 has weeks only as a form of their own ("PnW"); mixing them is a later extension.
  if (w !== undefined && [y, mo, d, h, mi, s].some((part) => part !== undefined)) {
    throw new DurationError(`must not combine weeks with other units: use days instead (got ${shown})`);
  }
  const n = (part: string | undefined) => (part === undefined ? 0 : Number(part));
  return { sign: minus ? -1 : 1, years: n(y), months: n(mo), weeks: n(w), days: n(d), hours: n(h), minutes: n(mi), seconds: n(s) };
}

/** For callers that collect every problem instead of stopping at the first. */
export function tryParseDuration(text: string): { ok: true; duration: IsoDuration } | { ok: false; message: string } {
  try {
    return { ok: true, duration: parseDuration(text) };
  } catch (err) {
    if (err instanceof DurationError) return { ok: false, message: err.message };
    throw err;
  }
}

/** The canonical text: units in ISO order, zero units left out, "P0D" for nothing at all. */
export function formatDuration(duration: IsoDuration): string {
  const { years, months, weeks, days, hours, minutes, seconds } = duration;
  const date = `${years ? `${years}Y` : ''}${months ? `${months}M` : ''}${weeks ? `${weeks}W` : ''}${days ? `${days}D` : ''}`;
  const time = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds ? `${seconds}S` : ''}`;
  if (!date && !time) return 'P0D';
  return `${duration.sign < 0 ? '-' : ''}P${date}${time ? `T${time}` : ''}`;
}

export function isZero(duration: IsoDuration): boolean {
  return calendarMonths(duration) === 0 && fixedMs(duration) === 0;
}

/** The same units `factor` times over (an anchor plus n intervals, not n additions in a row). */
export function scaleDuration(duration: IsoDuration, factor: number): IsoDuration {
  if (!Number.isSafeInteger(factor) || factor < 0) throw new RangeError(`factor must be a whole number >= 0, got ${factor}`);
  const { sign, years, months, weeks, days, hours, minutes, seconds } = duration;
  return {
    sign,
    years: years * factor,
    months: months * factor,
    weeks: weeks * factor,
    days: days * factor,
    hours: hours * factor,
    minutes: minutes * factor,
    seconds: seconds * factor,
  };
}

function calendarMonths(duration: IsoDuration): number {
  return duration.years * 12 + duration.months;
}

/** Weeks and days are exact in UTC, which has no daylight saving time (and JS time no leap seconds). */
function fixedMs(duration: IsoDuration): number {
  return (duration.weeks * 7 + duration.days) * DAY_MS + duration.hours * HOUR_MS + duration.minutes * MINUTE_MS + duration.seconds * SECOND_MS;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, monthIndex: number): number {
  if (monthIndex === 1) return isLeapYear(year) ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][monthIndex]!;
}

/** Epoch ms that a Date, and so an ISO string, can hold. */
export function isInstant(ms: number): boolean {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_INSTANT_MS;
}

function checkInstant(ms: number, what: string): number {
  if (!isInstant(ms)) throw new DurationError(`${what} is outside the supported date range`);
  return ms;
}

/**
 * `instantMs` moved by the duration (times `sign`), in UTC. Years and months move the calendar month
 * and keep the day of the month, clamped to the month's last day; the rest is exact time. Larger
 * units go first, as ISO 8601 and RFC 5545 read a duration.
 */
export function addDuration(instantMs: number, duration: IsoDuration, sign: 1 | -1 = 1): number {
  checkInstant(instantMs, 'the instant');
  const direction = sign * duration.sign;
  let ms = instantMs;
  const months = calendarMonths(duration);
  if (months !== 0) {
    // Only the date is read from Date, always with an argument: the same on every replay.
    const at = new Date(ms);
    const timeOfDay = ((ms % DAY_MS) + DAY_MS) % DAY_MS;
    const total = at.getUTCFullYear() * 12 + at.getUTCMonth() + direction * months;
    const year = Math.floor(total / 12);
    const monthIndex = total - year * 12;
    const day = Math.min(at.getUTCDate(), daysInMonth(year, monthIndex));
    // setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 1900-1999.
    const target = new Date(0);
    target.setUTCFullYear(year, monthIndex, day);
    ms = checkInstant(target.getTime(), 'the result') + timeOfDay;
  }
  return checkInstant(ms + direction * fixedMs(duration), 'the result');
}

/**
 * A lower bound on the duration's length wherever it starts: a month as 28 days, a year as 365 (any
 * twelve months in a row have at least that, and clamping the day never takes a month below 28).
 * The sign is ignored: a reminder three days before is as long as one three days after.
 */
export function shortestLengthMs(duration: IsoDuration): number {
  return (duration.years * 365 + duration.months * 28) * DAY_MS + fixedMs(duration);
}

export function isShorterThanADay(duration: IsoDuration): boolean {
  return shortestLengthMs(duration) < DAY_MS;
}
