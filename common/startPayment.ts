import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, type SearchAttributePair } from '@temporalio/common';
import { IDEMPOTENCY_KEY_REUSED } from '../domain/failureTypes';
import { createdUpdate, fingerprintQuery, type CreatedResult } from '../domain/messages';
import type { PaymentFlow, PaymentResource } from '../domain/payment';
import type { PaymentLinkInput, PisPaymentInput } from '../domain/requests';
import { AmountMinor, Currency, MerchantId, MerchantReference, PaymentFlow as FlowKey, PaymentStatus } from '../domain/searchAttributes';
import { readUntil } from './readUntil';
import { queryPayment } from './workflowQueries';

/** How long a retry waits for the payment its key made to exist at Ping (as the first request's `created` update does). */
const JOIN_WAIT_MS = 30_000;

/** The key already made a payment from another request body. */
export class PaymentKeyReused extends Error {
  constructor(readonly paymentId: string) {
    super(`${paymentId} was created from a different request`);
    this.name = 'PaymentKeyReused';
  }
}

export interface PaymentStart {
  workflowType: 'paymentLink' | 'pisPayment';
  input: PaymentLinkInput | PisPaymentInput;
  taskQueue: string;
  typedSearchAttributes: SearchAttributePair[];
  /** For the Web UI: a one-line summary and markdown details. No payer data. */
  staticSummary: string;
  staticDetails: string;
}

/** What every payment sets in visibility at its start; a flow adds its own (domain/paymentLinkSummary.ts). */
export function paymentSearchAttributes(p: { flow: PaymentFlow; amount: number; currency: string; reference?: string; merchantId?: string }): SearchAttributePair[] {
  return [
    { key: PaymentStatus, value: 'creating' },
    { key: FlowKey, value: p.flow },
    { key: AmountMinor, value: p.amount },
    { key: Currency, value: p.currency },
    ...(p.reference ? [{ key: MerchantReference, value: p.reference }] : []),
    ...(p.merchantId ? [{ key: MerchantId, value: p.merchantId }] : []),
  ];
}

/**
 * Starts a payment's workflow with update-with-start and answers once the payment exists at Ping
 * (or Ping refused it), or joins the payment an earlier start under the same id made, running or
 * finished. The one way a payment is started: the API's creates and a subscription's invoices.
 */
export async function startPayment(client: Client, start: PaymentStart): Promise<CreatedResult> {
  const { paymentId, fingerprint } = start.input;
  const operation = new WithStartWorkflowOperation(start.workflowType, {
    workflowId: paymentId,
    taskQueue: start.taskQueue,
    args: [start.input],
    // A retry finds the payment under its id, running or finished, and joins it by queries (joinPayment).
    workflowIdConflictPolicy: 'FAIL',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    typedSearchAttributes: start.typedSearchAttributes,
    staticSummary: start.staticSummary,
    staticDetails: start.staticDetails,
  } as ConstructorParameters<typeof WithStartWorkflowOperation>[1]);
  try {
    return await client.workflow.executeUpdateWithStart(createdUpdate, { args: [{ fingerprint }], startWorkflowOperation: operation });
  } catch (err) {
    if (failureType(err) === IDEMPOTENCY_KEY_REUSED) throw new PaymentKeyReused(paymentId);
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return joinPayment(client.workflow.getHandle(paymentId), fingerprint);
  }
}

/**
 * A payment under this id exists: the same request's answer once it exists at Ping. Read through
 * queries, never a second `created` update: an update that reaches a running workflow in the same
 * task as an activity's result after a worker restart is replayed in the other order (domain/messages.ts).
 */
export async function joinPayment(handle: WorkflowHandle, fingerprint: string): Promise<CreatedResult> {
  if ((await handle.query(fingerprintQuery)) !== fingerprint) throw new PaymentKeyReused(handle.workflowId);
  return { payment: await paymentOnceCreated(handle), first: false };
}

/** The payment once it exists at Ping (or Ping refused it), or as it is after the wait a first create is given. */
export function paymentOnceCreated(handle: WorkflowHandle): Promise<PaymentResource> {
  return readUntil(() => queryPayment(handle), (p) => p.status !== 'creating', JOIN_WAIT_MS);
}

function failureType(err: unknown): string | undefined {
  if (!(err instanceof WorkflowUpdateFailedError)) return undefined;
  return err.cause instanceof ApplicationFailure ? (err.cause.type ?? undefined) : undefined;
}
