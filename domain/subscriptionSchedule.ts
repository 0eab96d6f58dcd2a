import {
  addDuration,
  DurationError,
  formatDuration,
  isInstant,
  isShorterThanADay,
  isZero,
  parseDuration,
  scaleDuration,
  shortestLengthMs,
  tryParseDuration,
  type IsoDuration,
} from './isoDuration';

// The calendar of a subscription (issue 16): when each period starts and ends, when its invoice is
// due, when reminders go out and when the grace period ends. Pure functions over epoch ms, so the
// subscription workflow can compute its timers and the API its 400s from the same code.

export { addDuration, DurationError, parseDuration, shortestLengthMs, isShorterThanADay, type IsoDuration };

/** The API and the workflow input hold durations as text; parsed ones are accepted as they are. */
export type DurationInput = string | IsoDuration;

function duration(input: DurationInput): IsoDuration {
  return typeof input === 'string' ? parseDuration(input) : input;
}

/**
 * Period `n` (0-based). Both bounds are the anchor plus a multiple of the interval, never the previous
 * bound plus one: an anchor on the 31st gives Feb 29, then Mar 31, instead of sticking at the 29th.
 */
export function periodBounds(startAtMs: number, interval: DurationInput, n: number): { startMs: number; endMs: number } {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`period must be a whole number >= 0, got ${n}`);
  const step = duration(interval);
  return { startMs: addDuration(startAtMs, scaleDuration(step, n)), endMs: addDuration(startAtMs, scaleDuration(step, n + 1)) };
}

export function dueAt(periodStartMs: number, dueAfter: DurationInput): number {
  return addDuration(periodStartMs, duration(dueAfter));
}

/** Each distinct instant once, earliest first: two offsets that land together send one reminder. */
export function reminderTimes(dueMs: number, offsets: readonly DurationInput[]): number[] {
  const times = new Set(offsets.map((offset) => addDuration(dueMs, duration(offset))));
  return [...times].sort((a, b) => a - b);
}

export function graceEnds(dueMs: number, grace: DurationInput): number {
  return addDuration(dueMs, duration(grace));
}

export interface ScheduleIssue {
  /** The field of the API body, as `reminders[2]` or `end.at`. */
  param: string;
  message: string;
}

export interface ScheduleInput {
  interval: DurationInput;
  startAtMs: number;
  dueAfter: DurationInput;
  reminders: readonly DurationInput[];
  gracePeriod: DurationInput;
  /** `{ at }` (epoch ms) or `{ after_periods }`, as the API body's `end`; absent for no end. */
  end?: { at?: number; after_periods?: number } | null;
  nowMs: number;
  /** SUBSCRIPTIONS_ALLOW_SHORT_INTERVALS: sub-day durations for tests and demos. */
  allowShortIntervals: boolean;
}

const SHORT_MESSAGE =
  'must be at least one day (P1D); shorter durations are accepted only when the server runs with SUBSCRIPTIONS_ALLOW_SHORT_INTERVALS=true';

/**
 * Every problem of a schedule, empty when it is valid. Comparisons that depend on where in the
 * calendar they fall (a reminder of P1M against a grace period of P30D) are made on the first period,
 * the one the merchant sees first; the workflow still skips a reminder that a later period makes fall
 * outside its invoice's life.
 */
export function validateSchedule(input: ScheduleInput): ScheduleIssue[] {
  const issues: ScheduleIssue[] = [];
  const report = (param: string, message: string) => issues.push({ param, message });
  const parse = (param: string, value: DurationInput): IsoDuration | undefined => {
    if (typeof value !== 'string') return value;
    const parsed = tryParseDuration(value);
    if (parsed.ok) return parsed.duration;
    report(param, parsed.message);
    return undefined;
  };
  // A zero due date, offset or grace period coincides with another event of the period and adds no
  // timer of its own, so the short-duration rule, which keeps second-long schedules out of
  // production, does not refuse it.
  const tooShort = (value: IsoDuration) => !input.allowShortIntervals && !isZero(value) && isShorterThanADay(value);
  /** The parsed value if it passes `refuse` and the short-duration rule, else undefined (and reported). */
  const checked = (param: string, value: DurationInput, refuse: (value: IsoDuration) => string | undefined): IsoDuration | undefined => {
    const parsed = parse(param, value);
    if (!parsed) return undefined;
    const refusal = refuse(parsed) ?? (tooShort(parsed) ? SHORT_MESSAGE : undefined);
    if (refusal === undefined) return parsed;
    report(param, refusal);
    return undefined;
  };

  const startValid = isInstant(input.startAtMs);
  if (!startValid) report('start_at', 'must be an instant, such as 2027-01-31T00:00:00Z');

  const interval = checked('interval', input.interval, (value) => (value.sign < 0 || isZero(value) ? 'must be a positive duration, such as P1M' : undefined));
  const dueAfter = checked('due_after', input.dueAfter, (value) => (isNegative(value) ? 'must not be negative: it is counted from the period start' : undefined));
  const grace = checked('grace_period', input.gracePeriod, (value) => (isNegative(value) ? 'must not be negative: it is counted from the due date' : undefined));

  // Where the first period puts things, for the checks below; undefined when an input they need is invalid.
  let first: { startMs: number; endMs: number } | undefined;
  if (startValid && interval) {
    first = firstPeriod(input.startAtMs, interval);
    if (!first) report('interval', 'is too long: the first period ends outside the supported date range');
  }
  const due = first && dueAfter ? tryAdd(first.startMs, dueAfter) : undefined;
  const graceEnd = due !== undefined && grace ? tryAdd(due, grace) : undefined;

  input.reminders.forEach((value, i) => {
    const param = `reminders[${i}]`;
    const offset = parse(param, value);
    if (!offset) return;
    if (tooShort(offset)) return report(param, SHORT_MESSAGE);
    const at = due !== undefined ? tryAdd(due, offset) : undefined;
    if (at === undefined) return;
    if (grace && graceEnd !== undefined && at > graceEnd) {
      report(param, `must not be later than the grace period's end (${formatDuration(grace)} after the due date): the invoice has expired by then`);
    } else if (first && dueAfter && at < first.startMs) {
      report(param, `must not be earlier than the period start (${formatDuration(dueAfter)} before the due date): the invoice does not exist yet`);
    }
  });

  const end = input.end;
  if (end) {
    if (end.at !== undefined && end.after_periods !== undefined) report('end', 'must be either {"at": ...} or {"after_periods": ...}, not both');
    if (end.at !== undefined) {
      const at = end.at;
      if (!isInstant(at)) report('end.at', 'must be an instant, such as 2028-01-31T00:00:00Z');
      else if (at < input.nowMs) report('end.at', 'must not be in the past');
      else if (first && at < first.endMs) {
        report('end.at', 'must not be before the first period ends: a subscription has at least one whole period');
      }
    }
    if (end.after_periods !== undefined) {
      const count = end.after_periods;
      if (!Number.isSafeInteger(count) || count < 1) report('end.after_periods', 'must be a whole number of periods, 1 or more');
    }
  }
  return issues;
}

function tryAdd(ms: number, value: IsoDuration): number | undefined {
  try {
    return addDuration(ms, value);
  } catch (err) {
    if (err instanceof DurationError) return undefined;
    throw err;
  }
}

function firstPeriod(startAtMs: number, interval: IsoDuration): { startMs: number; endMs: number } | undefined {
  try {
    return periodBounds(startAtMs, interval, 0);
  } catch (err) {
    if (err instanceof DurationError) return undefined;
    throw err;
  }
}

function isNegative(value: IsoDuration): boolean {
  return value.sign < 0 && !isZero(value);
}

const NAMED_INTERVALS: Record<string, { en: string; sv: string }> = {
  P1W: { en: 'week', sv: 'vecka' },
  P1M: { en: 'month', sv: 'månad' },
  P3M: { en: '3 months', sv: '3 månader' },
  P1Y: { en: 'year', sv: 'år' },
};

/**
 * The interval as it follows "199,00 SEK / " in the Web UI summary. Swedish for a Swedish locale
 * ("sv", "sv-SE"), English otherwise; an interval without a name shows as its ISO text.
 */
export function describeInterval(interval: DurationInput, locale: string): string {
  const text = formatDuration(duration(interval));
  const names = NAMED_INTERVALS[text];
  if (!names) return text;
  return /^sv(-|$)/i.test(locale) ? names.sv : names.en;
}
