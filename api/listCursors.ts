import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { ApiError } from './errors';

/**
 * List cursors wrap Temporal's page token with a MAC over the token and the query it pages. Temporal
 * answers a page token it cannot read with a retryable UNKNOWN (the client then retries for about 20 s
 * before failing), so a forged, truncated or edited cursor, or one from another query, is refused here
 * as a 400 instead. The MAC key comes from `cursorSecret`; without one it is a fixed key, which still
 * catches every accident but not a deliberate forgery by someone holding an API key. The scheme of
 * `GET /v1/payments` (api/routes/payments.ts), shared so the merchant list pages the same way; a
 * cursor of one list never pages the other, since the MAC covers the query.
 */
export function listCursors(cursorSecret: string | undefined) {
  const key = createHmac('sha256', cursorSecret ?? 'ping-orchestrator').update('list-cursor/v1').digest();
  const mac = (query: string, token: Buffer) => createHmac('sha256', key).update(query).update('\n').update(token).digest().subarray(0, 16);
  return {
    encode: (query: string, token: Uint8Array): string => `${Buffer.from(token).toString('base64url')}.${mac(query, Buffer.from(token)).toString('base64url')}`,
    decode(query: string, cursor: string): Buffer {
      const [token = '', tag = ''] = cursor.split('.');
      const raw = Buffer.from(token, 'base64url');
      const given = Buffer.from(tag, 'base64url');
      const expected = mac(query, raw);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new ApiError(400, 'invalid_request_error', 'parameter_invalid', 'Invalid cursor: must be the next_cursor of an earlier page of the same query', 'cursor');
      }
      return raw;
    },
  };
}

/** A string literal of a visibility query. Values are validated first (no quotes, backslashes or control characters); doubling is belt and braces. */
export const quoted = (value: string) => `'${value.replace(/'/g, "''")}'`;

type Execution = temporal.api.workflow.v1.IWorkflowExecutionInfo;

/**
 * One page of a list endpoint: the workflows of a visibility query, newest first, and the cursor of
 * the next page (null on the last). `rows` turns the page's executions into the list's data.
 */
export async function listPage<R>(
  client: Client,
  cursors: ReturnType<typeof listCursors>,
  query: string,
  page: { limit: number; cursor?: string },
  rows: (executions: Execution[]) => R[] | Promise<R[]>,
): Promise<{ object: 'list'; data: R[]; has_more: boolean; next_cursor: string | null }> {
  const answer = await client.workflowService.listWorkflowExecutions({
    namespace: client.options.namespace,
    query,
    pageSize: page.limit,
    nextPageToken: page.cursor ? cursors.decode(query, page.cursor) : undefined,
  });
  const data = await rows(answer.executions ?? []);
  const next = answer.nextPageToken?.length ? cursors.encode(query, answer.nextPageToken) : null;
  return { object: 'list', data, has_more: next !== null, next_cursor: next };
}

/** The ids of the listed workflows whose workflow id is `prefix` + id: the ids of a resource with its own workflow (merchants, subscriptions). */
export const listedIds = (executions: Execution[], prefix: string): string[] =>
  executions
    .map((execution) => execution.execution?.workflowId ?? '')
    .filter((workflowId) => workflowId.startsWith(prefix))
    .map((workflowId) => workflowId.slice(prefix.length));
