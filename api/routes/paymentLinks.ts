import { Router } from 'express';
import type { PaymentLinkRequest } from '../../domain/requests';
import { describePaymentLink, paymentLinkSearchAttributes } from '../../domain/paymentLinkSummary';
import { paymentLinkRequestSchema } from '../schemas/paymentLink';
import { FUTURE_MESSAGE, inTheFuture } from '../schemas/common';
import { methodNotAllowed } from '../errors';
import { requireJsonBody } from '../requestBody';
import { createPaymentHandler, type CreatePaymentDeps, type FlowSpec } from './createPayment';
import { PAYMENT_ID_PREFIXES } from '../../domain/ids';
import { paymentLinkAmount } from '../../domain/amount';

const paymentLinkFlow: FlowSpec<PaymentLinkRequest> = {
  flow: 'link',
  idPrefix: PAYMENT_ID_PREFIXES.link,
  workflowType: 'paymentLink',
  schema: paymentLinkRequestSchema,
  amountOf: paymentLinkAmount,
  currencyOf: (r) => r.currency,
  referenceOf: (r) => r.merchant_reference,
  checkTimes: (r, now) => (r.due_at !== undefined && !inTheFuture(r.due_at, now) ? { path: ['due_at'], message: FUTURE_MESSAGE } : undefined),
  extraSearchAttributes: (r) => paymentLinkSearchAttributes(r),
  describe: (r, amount) => describePaymentLink(r, amount),
};

export function paymentLinkRoutes(deps: CreatePaymentDeps): Router {
  return Router().post('/payment-links', requireJsonBody, createPaymentHandler(paymentLinkFlow, deps)).all('/payment-links', methodNotAllowed('POST'));
}
