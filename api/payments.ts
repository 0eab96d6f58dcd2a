import type { RequestParamHandler } from 'express';
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { queryPayment } from '../common/workflowQueries';
import type { PaymentResource } from '../domain/payment';
import { ApiError } from './errors';
import { merchantOfPaymentId, PAYMENT_ID_PATTERN } from '../domain/ids';
import { actingMerchant } from './principal';

export const paymentNotFound = (id: string) =>
  new ApiError(404, 'invalid_request_error', 'resource_missing', `No such payment: ${id}`, 'id');

/** A handle on an existing payment's workflow; ids that cannot be ours are 404 without asking Temporal. */
export function paymentHandle(client: Client, id: string): WorkflowHandle {
  if (!PAYMENT_ID_PATTERN.test(id)) throw paymentNotFound(id);
  return client.workflow.getHandle(id);
}

/**
 * `router.param('id', confinePaymentId)`: a request confined to a merchant (its key, or On-Behalf-Of)
 * reaches that merchant's payments only. Another's id answers exactly as an unknown one, before
 * Temporal is asked, so an id tells nothing about whether it exists.
 */
export const confinePaymentId: RequestParamHandler = (_req, res, next, id: string) => {
  const merchant = actingMerchant(res);
  if (merchant && merchantOfPaymentId(id) !== merchant.merchantId) return next(paymentNotFound(id));
  next();
};

export async function readPayment(client: Client, id: string): Promise<PaymentResource> {
  try {
    return await queryPayment(paymentHandle(client, id));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw paymentNotFound(id);
    throw err;
  }
}

/** A payment Ping refused answers with Ping's reason (422), or 502 if Ping could not be reached. */
export function refusedError(payment: PaymentResource): ApiError | undefined {
  if (payment.status !== 'failed' || !payment.failure) return undefined;
  const { failure } = payment;
  const unavailable = failure.code === 'ping_unavailable';
  return new ApiError(
    unavailable ? 502 : 422,
    unavailable ? 'api_error' : 'invalid_request_error',
    failure.code,
    `Ping Payments refused the payment: ${failure.message}`,
    failure.param,
    { payment_id: payment.id, ...(failure.ping_status ? { ping_status: failure.ping_status } : {}) },
  );
}
