import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import type { QueryDefinition, SignalDefinition } from '@temporalio/common';
import { requestAnswerQuery, type PaymentRequest, type RequestAnswer } from '../domain/messages';
import { ApiError } from './errors';

/** The workflow refused the request; `type` is a failure type of domain/failureTypes.ts. */
export class RequestRefused extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'RequestRefused';
  }
}

/**
 * Signals a request to a payment's workflow and reads back the workflow's answer to it, by its
 * request id (domain/messages.ts says why a signal and not an update). A signal to a closed workflow
 * throws WorkflowNotFoundError, as an update would. If no answer comes within `withinMs` (no worker
 * has taken the signal yet), the caller is told to retry: the signal stays in the history and will
 * be handled, and a retry with the same Idempotency-Key is recognised as the same request.
 */
export async function askPayment<T extends PaymentRequest>(handle: WorkflowHandle, signal: SignalDefinition<[T]>, request: T, withinMs = 10_000): Promise<Exclude<RequestAnswer, { outcome: 'refused' }>> {
  return askWorkflow(handle, signal, request, {
    answerQuery: requestAnswerQuery,
    withinMs,
    busy: () => new ApiError(503, 'api_error', 'payment_busy', 'The payment did not answer in time; retry with the same Idempotency-Key'),
  });
}

/**
 * The same exchange with any workflow that answers its signals under their request ids through
 * `answerQuery` (the merchant workflow's `merchantAnswer`, api/merchants.ts).
 */
export async function askWorkflow<T extends { requestId: string }>(
  handle: WorkflowHandle,
  signal: SignalDefinition<[T]>,
  request: T,
  options: { answerQuery: QueryDefinition<RequestAnswer | null, [string]>; withinMs: number; busy: () => Error },
): Promise<Exclude<RequestAnswer, { outcome: 'refused' }>> {
  await handle.signal(signal, request);
  const deadline = Date.now() + options.withinMs;
  let pauseMs = 10;
  for (;;) {
    const answer = await handle.query(options.answerQuery, request.requestId);
    if (answer?.outcome === 'refused') throw new RequestRefused(answer.type, answer.message);
    if (answer) return answer;
    if (Date.now() + pauseMs > deadline) throw options.busy();
    await sleep(pauseMs);
    pauseMs = Math.min(pauseMs * 2, 250);
  }
}
