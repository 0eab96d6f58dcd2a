import {
  isGrpcDeadlineError,
  QueryRejectedError,
  WorkflowClient,
  WorkflowFailedError,
  type ClientInterceptors,
  type ConnectionLike,
  type WorkflowHandle,
} from '@temporalio/client';
import { paymentQuery } from '../domain/messages';
import type { PaymentResource } from '../domain/payment';

/**
 * How long each try of a query may take. A query is answered in milliseconds, a closed workflow's
 * by a replay in well under a second; but SDK 1.24's worker sometimes leaves one of several queries
 * that reach the same uncached workflow at once unanswered, and the server gives up on it only
 * after 30 s ("query timed out before a worker could process it": 6 of 40 rounds of three
 * concurrent reads of a closed payment, before this). So a try is cut short and asked once more.
 */
const QUERY_TRIES_MS = [5_000, 20_000] as const;

/**
 * The client interceptors every Temporal client of ours is made with (API, worker, tests): a query
 * whose try passes its deadline is asked again, with a longer one. A query changes nothing in the
 * workflow, so asking twice is harmless.
 */
export function queryInterceptors(connection: ConnectionLike): ClientInterceptors {
  return {
    workflow: [
      {
        async query(input, next) {
          for (let tried = 0; ; tried++) {
            try {
              return await connection.withDeadline(Date.now() + QUERY_TRIES_MS[tried]!, () => next(input));
            } catch (err) {
              if (tried + 1 >= QUERY_TRIES_MS.length || !isGrpcDeadlineError(err)) throw err;
            }
          }
        },
      },
    ],
  };
}

/** Per client: the same client, but the server refuses a query to a closed workflow instead of handing it to a worker. */
const refusingClosed = new WeakMap<WorkflowClient, WorkflowClient>();

function openOnly(client: WorkflowClient): WorkflowClient {
  let refusing = refusingClosed.get(client);
  if (!refusing) {
    refusing = new WorkflowClient({ ...client.options, queryRejectCondition: 'NOT_OPEN' });
    refusingClosed.set(client, refusing);
  }
  return refusing;
}

/**
 * A payment as its workflow has it. An open payment answers its query. A closed one is read from its
 * workflow's result, which is the final resource (workflows/runPayment.ts `finish`, the same value its
 * query gives): the server answers that from history in milliseconds, with no worker and no replay,
 * so a finished payment reads even while every worker is down. Throws WorkflowNotFoundError for an
 * unknown id.
 */
export async function queryPayment(handle: WorkflowHandle): Promise<PaymentResource> {
  try {
    return await openOnly(handle.client).getHandle(handle.workflowId).query(paymentQuery);
  } catch (err) {
    if (!(err instanceof QueryRejectedError)) throw err;
  }
  try {
    return (await handle.result()) as PaymentResource;
  } catch (err) {
    // Terminated or failed (an operator's act, a bug): no result, but a replay still shows the payment as it stood.
    if (!(err instanceof WorkflowFailedError)) throw err;
    return handle.query(paymentQuery);
  }
}
