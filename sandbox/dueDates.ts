/**
 * `due_date` is "the expiration date of the PaymentLink" with no format given (docs/ping-contract.md §5.2, §9).
 * Accepted: a calendar date `YYYY-MM-DD` ([INFER] the likely format), which expires at the end of
 * that day in Sweden (Ping's home time zone), or a full ISO-8601 timestamp, which expires at that
 * instant. Anything else is a 422.
 */
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

const TIME_ZONE = 'Europe/Stockholm';

/** Minutes that Stockholm is ahead of UTC at `instant`. */
function stockholmOffsetMinutes(instant: number): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: TIME_ZONE, timeZoneName: 'longOffset' })
    .formatToParts(new Date(instant))
    .find((p) => p.type === 'timeZoneName')?.value;
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name ?? '');
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

/** The instant the link expires, or undefined when `due_date` is not a valid date. */
export function expiryInstant(dueDate: string): number | undefined {
  const date = DATE_ONLY.exec(dueDate);
  if (date) {
    const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
    const nextMidnightUtc = Date.UTC(y, m - 1, d + 1);
    const check = new Date(Date.UTC(y, m - 1, d));
    if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return undefined;
    return nextMidnightUtc - stockholmOffsetMinutes(nextMidnightUtc) * 60_000;
  }
  if (!TIMESTAMP.test(dueDate)) return undefined;
  const instant = Date.parse(dueDate);
  return Number.isNaN(instant) ? undefined : instant;
}
