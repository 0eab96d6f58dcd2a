import { unprocessable } from '../errors';
import { isGuid } from './guid';

/**
 * Query filters as Ping's SDK sends them: .NET round-trip dates whose `+` may arrive unencoded
 * (and so decoded as a space), booleans as `True`/`False`, enums by their exact names.
 */

export function dateFilter(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const instant = Date.parse(raw.replace(' ', '+'));
  if (Number.isNaN(instant)) throw unprocessable('invalid_value', `${name} must be an ISO-8601 date-time`, name);
  return instant;
}

export function enumFilter<T extends string>(name: string, raw: string | undefined, values: readonly T[]): T | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!(values as readonly string[]).includes(raw)) throw unprocessable('invalid_value', `${name} must be one of ${values.join(', ')}`, name);
  return raw as T;
}

export function boolFilter(name: string, raw: string | undefined): boolean | undefined {
  if (raw === undefined || raw === '') return undefined;
  const lower = raw.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw unprocessable('invalid_value', `${name} must be true or false`, name);
}

export function inRange(iso: string, from: number | undefined, to: number | undefined): boolean {
  const t = Date.parse(iso);
  return (from === undefined || t >= from) && (to === undefined || t <= to);
}

/** An id filter must be a UUID, as a path id must (docs/ping-contract.md §0); the answer is lower-case, as ids are stored. */
export function idFilter(name: string, raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!isGuid(raw)) throw unprocessable('invalid_value', `${name} must be a UUID`, name);
  return raw.toLowerCase();
}
