import { unprocessable } from '../errors';
import type { ApiRequest } from './pingApi';

/**
 * Ping's `{data, _links}` pages (docs/ping-contract.md §2.2). The href format, cursor name and
 * limits are not known; the sandbox's choices: absolute URLs (what the SDK resolves verbatim), an opaque `cursor`
 * parameter, a default limit of 50 and a maximum of 200 (the page size the SDK itself asks for; a
 * larger one is refused so a client cannot come to depend on it). Items come oldest first, so a
 * record created while paging never shifts a page.
 */
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

export function parseLimit(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_LIMIT;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw unprocessable('invalid_value', `limit must be an integer from 1 to ${MAX_LIMIT}`, 'limit');
  }
  return limit;
}

const encodeCursor = (offset: number): string => Buffer.from(`o:${offset}`).toString('base64url');

function decodeCursor(raw: string | undefined): number {
  if (!raw) return 0;
  const match = /^o:(\d+)$/.exec(Buffer.from(raw, 'base64url').toString());
  if (!match) throw unprocessable('invalid_value', 'cursor is not one the API handed out', 'cursor');
  return Number(match[1]);
}

export function paginate<T>(items: T[], req: ApiRequest): { data: T[]; _links: Record<string, { href: string }> } {
  const limit = parseLimit(req.query.limit);
  const offset = decodeCursor(req.query.cursor);
  const hrefAt = (start: number): string => {
    const url = new URL(req.selfUrl);
    url.searchParams.set('limit', String(limit));
    if (start > 0) url.searchParams.set('cursor', encodeCursor(start));
    else url.searchParams.delete('cursor');
    return url.toString();
  };
  const links: Record<string, { href: string }> = {
    current: { href: req.selfUrl.toString() },
    first: { href: hrefAt(0) },
  };
  if (offset + limit < items.length) links.next = { href: hrefAt(offset + limit) };
  if (offset > 0) links.previous = { href: hrefAt(Math.max(0, offset - limit)) };
  return { data: items.slice(offset, offset + limit), _links: links };
}
