import { readFileSync } from 'node:fs';
import path from 'node:path';
import { addDuration, DurationError, formatDuration, parseDuration, type IsoDuration } from '../../domain/isoDuration';
import {
  describeInterval,
  dueAt,
  graceEnds,
  isShorterThanADay,
  periodBounds,
  reminderTimes,
  shortestLengthMs,
  validateSchedule,
  type ScheduleInput,
} from '../../domain/subscriptionSchedule';

const ms = (iso: string) => Date.parse(iso);
const iso = (instant: number) => new Date(instant).toISOString();
const starts = (anchor: string, interval: string, n: number) => Array.from({ length: n }, (_, i) => iso(periodBounds(ms(anchor), interval, i).startMs));

describe('parseDuration', () => {
  it('reads the durations subscriptions use, reminder offsets with their sign', () => {
    const zero = { sign: 1, years: 0, months: 0, weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0 };
    expect(parseDuration('P1M')).toEqual({ ...zero, months: 1 });
    expect(parseDuration('P1W')).toEqual({ ...zero, weeks: 1 });
    expect(parseDuration('P1Y')).toEqual({ ...zero, years: 1 });
    expect(parseDuration('P14D')).toEqual({ ...zero, days: 14 });
    expect(parseDuration('PT5S')).toEqual({ ...zero, seconds: 5 });
    expect(parseDuration('PT1M')).toEqual({ ...zero, minutes: 1 });
    expect(parseDuration('-P3D')).toEqual({ ...zero, sign: -1, days: 3 });
    expect(parseDuration('-PT2S')).toEqual({ ...zero, sign: -1, seconds: 2 });
    expect(parseDuration('P1Y2M3DT4H5M6S')).toEqual({ sign: 1, years: 1, months: 2, weeks: 0, days: 3, hours: 4, minutes: 5, seconds: 6 });
  });

  it.each([
    ['', /ISO 8601 duration/],
    ['P', /at least one unit/],
    ['PT', /at least one unit/],
    ['P1DT', /unit after "T"/],
    ['P1.5M', /whole numbers/],
    ['PT0,5S', /whole numbers/],
    ['P1W2D', /weeks with other units/],
    ['P1WT1H', /weeks with other units/],
    ['1M', /ISO 8601 duration/],
    ['p1m', /ISO 8601 duration/],
    ['P1M1Y', /ISO 8601 duration/],
    ['+P1D', /ISO 8601 duration/],
    ['P-1D', /ISO 8601 duration/],
    [' P1D', /ISO 8601 duration/],
    ['P1234567890D', /ISO 8601 duration/],
    ['monthly', /ISO 8601 duration such as .*\(got "monthly"\)/],
  ])('refuses %j', (text, message) => {
    expect(() => parseDuration(text)).toThrow(DurationError);
    expect(() => parseDuration(text)).toThrow(message);
  });

  it('formats durations canonically', () => {
    expect(formatDuration(parseDuration('P01M'))).toBe('P1M');
    expect(formatDuration(parseDuration('-P3D'))).toBe('-P3D');
    expect(formatDuration(parseDuration('P1DT12H'))).toBe('P1DT12H');
    expect(formatDuration(parseDuration('PT5S'))).toBe('PT5S');
    expect(formatDuration(parseDuration('-PT0S'))).toBe('P0D');
  });
});

describe('addDuration', () => {
  it('moves the calendar month and clamps the day, keeping the time of day', () => {
    expect(iso(addDuration(ms('2027-01-31T10:15:00Z'), parseDuration('P1M')))).toBe('2027-02-28T10:15:00.000Z');
    expect(iso(addDuration(ms('2028-01-31T10:15:00Z'), parseDuration('P1M')))).toBe('2028-02-29T10:15:00.000Z');
    expect(iso(addDuration(ms('2028-02-29T00:00:00Z'), parseDuration('P1Y')))).toBe('2029-02-28T00:00:00.000Z');
    expect(iso(addDuration(ms('2027-11-15T00:00:00Z'), parseDuration('P3M')))).toBe('2028-02-15T00:00:00.000Z');
    // Centuries are leap years only every 400 years.
    expect(iso(addDuration(ms('2100-01-31T00:00:00Z'), parseDuration('P1M')))).toBe('2100-02-28T00:00:00.000Z');
    expect(iso(addDuration(ms('2000-01-31T00:00:00Z'), parseDuration('P1M')))).toBe('2000-02-29T00:00:00.000Z');
  });

  it('subtracts with sign -1 or a negative duration', () => {
    expect(iso(addDuration(ms('2028-03-31T00:00:00Z'), parseDuration('P1M'), -1))).toBe('2028-02-29T00:00:00.000Z');
    expect(iso(addDuration(ms('2028-01-15T00:00:00Z'), parseDuration('-P2M')))).toBe('2027-11-15T00:00:00.000Z');
    expect(iso(addDuration(ms('2027-06-14T00:00:00Z'), parseDuration('-P3D')))).toBe('2027-06-11T00:00:00.000Z');
    expect(iso(addDuration(ms('2027-06-14T00:00:00Z'), parseDuration('-P3D'), -1))).toBe('2027-06-17T00:00:00.000Z');
  });

  it('adds months first, then days, then exact time', () => {
    expect(iso(addDuration(ms('2027-01-31T23:00:00Z'), parseDuration('P1M1DT1H')))).toBe('2027-03-02T00:00:00.000Z');
    expect(iso(addDuration(ms('2027-12-27T00:00:00Z'), parseDuration('P1W')))).toBe('2028-01-03T00:00:00.000Z');
    expect(iso(addDuration(ms('2027-03-28T00:30:00Z'), parseDuration('PT2H')))).toBe('2027-03-28T02:30:00.000Z');
    expect(iso(addDuration(ms('2027-12-31T23:59:58Z'), parseDuration('PT5S')))).toBe('2028-01-01T00:00:03.000Z');
  });

  it('does not read years 0-99 as 1900-1999', () => {
    expect(iso(addDuration(ms('0050-01-31T06:00:00Z'), parseDuration('P1M')))).toBe('0050-02-28T06:00:00.000Z');
  });

  it('refuses results outside the date range', () => {
    expect(() => addDuration(ms('+275760-09-13T00:00:00Z'), parseDuration('P1D'))).toThrow(/outside the supported date range/);
    expect(() => addDuration(Number.NaN, parseDuration('P1D'))).toThrow(DurationError);
  });
});

describe('periodBounds', () => {
  it('counts every period from the anchor, so month ends neither drift nor stick (leap year 2028)', () => {
    expect(starts('2028-01-31T09:30:00Z', 'P1M', 14)).toEqual([
      '2028-01-31T09:30:00.000Z',
      '2028-02-29T09:30:00.000Z',
      '2028-03-31T09:30:00.000Z',
      '2028-04-30T09:30:00.000Z',
      '2028-05-31T09:30:00.000Z',
      '2028-06-30T09:30:00.000Z',
      '2028-07-31T09:30:00.000Z',
      '2028-08-31T09:30:00.000Z',
      '2028-09-30T09:30:00.000Z',
      '2028-10-31T09:30:00.000Z',
      '2028-11-30T09:30:00.000Z',
      '2028-12-31T09:30:00.000Z',
      '2029-01-31T09:30:00.000Z',
      '2029-02-28T09:30:00.000Z',
    ]);
    expect(iso(periodBounds(ms('2028-01-31T09:30:00Z'), 'P1M', 13).endMs)).toBe('2029-03-31T09:30:00.000Z');
  });

  it('steps weeks, quarters and years', () => {
    expect(iso(periodBounds(ms('2027-12-27T00:00:00Z'), 'P1W', 9).startMs)).toBe('2028-02-28T00:00:00.000Z');
    expect(iso(periodBounds(ms('2027-12-27T00:00:00Z'), 'P1W', 10).startMs)).toBe('2028-03-06T00:00:00.000Z');
    expect(starts('2027-11-30T12:00:00Z', 'P3M', 6)).toEqual([
      '2027-11-30T12:00:00.000Z',
      '2028-02-29T12:00:00.000Z',
      '2028-05-30T12:00:00.000Z',
      '2028-08-30T12:00:00.000Z',
      '2028-11-30T12:00:00.000Z',
      '2029-02-28T12:00:00.000Z',
    ]);
    expect(starts('2028-02-29T00:00:00Z', 'P1Y', 5)).toEqual([
      '2028-02-29T00:00:00.000Z',
      '2029-02-28T00:00:00.000Z',
      '2030-02-28T00:00:00.000Z',
      '2031-02-28T00:00:00.000Z',
      '2032-02-29T00:00:00.000Z',
    ]);
  });

  it('gives second-long periods for PT5S', () => {
    const bounds = (n: number) => {
      const { startMs, endMs } = periodBounds(ms('2027-06-01T00:00:00Z'), 'PT5S', n);
      return [iso(startMs), iso(endMs)];
    };
    expect(bounds(0)).toEqual(['2027-06-01T00:00:00.000Z', '2027-06-01T00:00:05.000Z']);
    expect(bounds(23)).toEqual(['2027-06-01T00:01:55.000Z', '2027-06-01T00:02:00.000Z']);
  });

  it('bounds periods 0, 1 and 23', () => {
    const bounds = (anchor: string, n: number) => {
      const { startMs, endMs } = periodBounds(ms(anchor), 'P1M', n);
      return [iso(startMs), iso(endMs)];
    };
    expect(bounds('2027-01-15T08:00:00Z', 0)).toEqual(['2027-01-15T08:00:00.000Z', '2027-02-15T08:00:00.000Z']);
    expect(bounds('2027-01-15T08:00:00Z', 1)).toEqual(['2027-02-15T08:00:00.000Z', '2027-03-15T08:00:00.000Z']);
    expect(bounds('2027-01-15T08:00:00Z', 23)).toEqual(['2028-12-15T08:00:00.000Z', '2029-01-15T08:00:00.000Z']);
    expect(bounds('2028-01-31T00:00:00Z', 23)).toEqual(['2029-12-31T00:00:00.000Z', '2030-01-31T00:00:00.000Z']);
  });

  it('refuses a period that is not a whole number >= 0', () => {
    expect(() => periodBounds(0, 'P1M', -1)).toThrow(RangeError);
    expect(() => periodBounds(0, 'P1M', 1.5)).toThrow(RangeError);
  });
});

describe('due date, reminders and grace period', () => {
  it('puts the due date after the period start', () => {
    expect(iso(dueAt(ms('2028-02-29T09:30:00Z'), 'P14D'))).toBe('2028-03-14T09:30:00.000Z');
    expect(iso(dueAt(ms('2028-01-31T00:00:00Z'), 'P1M'))).toBe('2028-02-29T00:00:00.000Z');
  });

  it('gives the reminders earliest first, an instant reached twice only once', () => {
    const times = reminderTimes(ms('2027-06-14T00:00:00Z'), ['P1D', '-P3D', '-PT2S', 'PT24H']);
    expect(times.map(iso)).toEqual(['2027-06-11T00:00:00.000Z', '2027-06-13T23:59:58.000Z', '2027-06-15T00:00:00.000Z']);
    expect(reminderTimes(ms('2027-06-14T00:00:00Z'), [])).toEqual([]);
  });

  it('ends the grace period after the due date', () => {
    expect(iso(graceEnds(ms('2027-06-14T00:00:00Z'), 'P3D'))).toBe('2027-06-17T00:00:00.000Z');
    expect(iso(graceEnds(ms('2027-01-31T00:00:00Z'), 'P1M'))).toBe('2027-02-28T00:00:00.000Z');
  });
});

describe('shortest lengths', () => {
  const DAY = 86_400_000;
  it('counts a month as 28 days and a year as 365, ignoring the sign', () => {
    expect(shortestLengthMs(parseDuration('P1M'))).toBe(2_419_200_000);
    expect(shortestLengthMs(parseDuration('P1Y'))).toBe(31_536_000_000);
    expect(shortestLengthMs(parseDuration('P1W'))).toBe(604_800_000);
    expect(shortestLengthMs(parseDuration('PT5S'))).toBe(5_000);
    expect(shortestLengthMs(parseDuration('-P3D'))).toBe(259_200_000);
    expect(shortestLengthMs(parseDuration('P1Y2M3DT4H5M6S'))).toBe(36_648_306_000);
  });

  it('is never longer than the real length, even across month ends (Jan 31 + P1M = Feb 28)', () => {
    const real = ms('2027-02-28T00:00:00Z') - ms('2027-01-31T00:00:00Z');
    expect(real).toBe(28 * DAY);
    expect(shortestLengthMs(parseDuration('P1M'))).toBeLessThanOrEqual(real);
  });

  it.each([
    ['PT23H59M59S', true],
    ['-PT2S', true],
    ['P0D', true],
    ['PT24H', false],
    ['P1D', false],
    ['-P3D', false],
    ['P1M', false],
  ])('%s is shorter than a day: %s', (text, shorter) => {
    expect(isShorterThanADay(parseDuration(text))).toBe(shorter);
  });
});

describe('validateSchedule', () => {
  const valid: ScheduleInput = {
    interval: 'P1M',
    startAtMs: ms('2027-01-31T00:00:00Z'),
    dueAfter: 'P14D',
    reminders: ['-P3D', 'P1D'],
    gracePeriod: 'P3D',
    end: null,
    nowMs: ms('2027-01-20T00:00:00Z'),
    allowShortIntervals: false,
  };
  const params = (changes: Partial<ScheduleInput>) => validateSchedule({ ...valid, ...changes }).map((issue) => issue.param);
  const SHORT = /at least one day .*SUBSCRIPTIONS_ALLOW_SHORT_INTERVALS=true/;

  it('finds nothing wrong with a valid schedule, with either kind of end, or given parsed durations', () => {
    expect(validateSchedule(valid)).toEqual([]);
    expect(validateSchedule({ ...valid, end: { after_periods: 1 } })).toEqual([]);
    expect(validateSchedule({ ...valid, end: { at: ms('2027-02-28T00:00:00Z') } })).toEqual([]);
    const parsed: IsoDuration = parseDuration('P1W');
    expect(validateSchedule({ ...valid, interval: parsed })).toEqual([]);
  });

  it('reports a duration that does not parse under its parameter', () => {
    expect(validateSchedule({ ...valid, interval: 'monthly' })).toEqual([{ param: 'interval', message: expect.stringMatching(/ISO 8601 duration/) }]);
    expect(validateSchedule({ ...valid, dueAfter: 'P1.5D' })).toEqual([{ param: 'due_after', message: expect.stringMatching(/whole numbers/) }]);
    expect(validateSchedule({ ...valid, gracePeriod: 'P' })).toEqual([{ param: 'grace_period', message: expect.stringMatching(/at least one unit/) }]);
    expect(validateSchedule({ ...valid, reminders: ['-P3D', 'P1D', 'one day'] })).toEqual([
      { param: 'reminders[2]', message: expect.stringMatching(/ISO 8601 duration/) },
    ]);
  });

  it('wants a positive interval and a non-negative due date and grace period', () => {
    expect(validateSchedule({ ...valid, interval: 'P0D' })).toEqual([{ param: 'interval', message: expect.stringMatching(/positive/) }]);
    expect(params({ interval: '-P1M' })).toEqual(['interval']);
    expect(validateSchedule({ ...valid, dueAfter: '-P1D' })).toEqual([{ param: 'due_after', message: expect.stringMatching(/negative/) }]);
    expect(validateSchedule({ ...valid, gracePeriod: '-P1D' })).toEqual([{ param: 'grace_period', message: expect.stringMatching(/negative/) }]);
  });

  it('refuses durations shorter than a day without the flag, reminders by their size either way', () => {
    expect(validateSchedule({ ...valid, interval: 'PT5S' })).toEqual([{ param: 'interval', message: expect.stringMatching(SHORT) }]);
    expect(validateSchedule({ ...valid, dueAfter: 'PT12H' })).toEqual([{ param: 'due_after', message: expect.stringMatching(SHORT) }]);
    expect(validateSchedule({ ...valid, gracePeriod: 'PT1H' })).toEqual([{ param: 'grace_period', message: expect.stringMatching(SHORT) }]);
    expect(validateSchedule({ ...valid, reminders: ['-P3D', 'P1D', '-PT2S'] })).toEqual([{ param: 'reminders[2]', message: expect.stringMatching(SHORT) }]);
    expect(params({ reminders: ['PT23H'] })).toEqual(['reminders[0]']);
  });

  it('takes a whole schedule in seconds with the flag, and names every short part without it', () => {
    const seconds = { interval: 'PT5S', dueAfter: 'PT3S', reminders: ['-PT2S', 'PT1S'], gracePeriod: 'PT2S', end: { after_periods: 3 } };
    expect(validateSchedule({ ...valid, ...seconds, allowShortIntervals: true })).toEqual([]);
    expect(params(seconds)).toEqual(['interval', 'due_after', 'grace_period', 'reminders[0]', 'reminders[1]']);
  });

  it('lets zero due dates, offsets and grace periods through: they add no timer of their own', () => {
    expect(validateSchedule({ ...valid, dueAfter: 'P0D', reminders: ['P0D'], gracePeriod: 'P0D' })).toEqual([]);
  });

  it('refuses a reminder after the grace period ends, but not one at its end', () => {
    expect(validateSchedule({ ...valid, reminders: ['P1D', 'P4D'] })).toEqual([
      { param: 'reminders[1]', message: expect.stringMatching(/grace period's end \(P3D after the due date\)/) },
    ]);
    expect(validateSchedule({ ...valid, reminders: ['P3D'] })).toEqual([]);
  });

  it('refuses a reminder before the period start, but not one at it', () => {
    expect(validateSchedule({ ...valid, reminders: ['-P15D'] })).toEqual([
      { param: 'reminders[0]', message: expect.stringMatching(/period start \(P14D before the due date\)/) },
    ]);
    expect(validateSchedule({ ...valid, reminders: ['-P14D'] })).toEqual([]);
  });

  it('compares calendar-dependent offsets where the first period falls', () => {
    // Due one month after the start: 28 days in February, 31 in March.
    const monthly = { dueAfter: 'P1M', gracePeriod: 'P3D', reminders: ['-P29D'] };
    expect(params({ ...monthly, startAtMs: ms('2027-02-01T00:00:00Z') })).toEqual(['reminders[0]']);
    expect(params({ ...monthly, startAtMs: ms('2027-03-01T00:00:00Z') })).toEqual([]);
  });

  it('refuses an end in the past or before the first period ends', () => {
    expect(validateSchedule({ ...valid, end: { at: ms('2027-01-19T00:00:00Z') } })).toEqual([{ param: 'end.at', message: expect.stringMatching(/past/) }]);
    expect(validateSchedule({ ...valid, end: { at: ms('2027-02-27T23:59:59Z') } })).toEqual([
      { param: 'end.at', message: expect.stringMatching(/before the first period ends/) },
    ]);
    expect(params({ end: { at: Number.NaN } })).toEqual(['end.at']);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses end.after_periods %p', (count) => {
    expect(validateSchedule({ ...valid, end: { after_periods: count } })).toEqual([
      { param: 'end.after_periods', message: expect.stringMatching(/whole number of periods, 1 or more/) },
    ]);
  });

  it('refuses both kinds of end at once, and a start that is no instant', () => {
    expect(params({ end: { at: ms('2027-06-01T00:00:00Z'), after_periods: 3 } })).toEqual(['end']);
    expect(params({ startAtMs: Number.NaN })).toEqual(['start_at']);
  });

  it('reports every problem at once, in the order of the body', () => {
    expect(params({ interval: 'P0D', dueAfter: '-P1D', gracePeriod: 'PT1H', reminders: ['x', '-PT1H'], end: { after_periods: 0 } })).toEqual([
      'interval',
      'due_after',
      'grace_period',
      'reminders[0]',
      'reminders[1]',
      'end.after_periods',
    ]);
  });
});

describe('describeInterval', () => {
  it.each([
    ['P1M', 'en', 'month'],
    ['P1M', 'sv-SE', 'månad'],
    ['P1W', 'en', 'week'],
    ['P1W', 'sv', 'vecka'],
    ['P3M', 'en', '3 months'],
    ['P3M', 'sv-SE', '3 månader'],
    ['P1Y', 'en', 'year'],
    ['P1Y', 'sv-SE', 'år'],
    ['P01M', 'sv-SE', 'månad'],
    ['P1M', 'nb-NO', 'month'],
    ['P2W', 'sv-SE', 'P2W'],
    ['P12M', 'en', 'P12M'],
    ['PT5S', 'en', 'PT5S'],
  ])('%s in %s is %j', (interval, locale, text) => {
    expect(describeInterval(interval, locale)).toBe(text);
  });
});

describe('the schedule in the workflow bundle', () => {
  // Follows relative imports from the module the workflow will import: everything it reaches must be
  // domain/ code without Node built-ins, packages or the clock.
  it('reaches only domain files that use no Node built-ins, packages, clock or randomness', () => {
    const domain = path.resolve(__dirname, '../../domain');
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(path.join(domain, file), 'utf8');
      expect([file, source.match(/Date\.now|Math\.random|new Date\(\)|process\./g)]).toEqual([file, null]);
      for (const [, specifier] of source.matchAll(/\bfrom\s+'([^']+)'/g)) {
        expect([file, specifier]).toEqual([file, expect.stringMatching(/^\.\/[A-Za-z]+$/)]);
        visit(`${specifier!.slice(2)}.ts`);
      }
    };
    visit('subscriptionSchedule.ts');
    expect([...seen].sort()).toEqual(['isoDuration.ts', 'subscriptionSchedule.ts']);
  });
});
