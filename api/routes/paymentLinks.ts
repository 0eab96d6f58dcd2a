import { Router } from 'express';
import { formatAmount } from '../../domain/format';
import type { PaymentLinkRequest } from '../../domain/requests';
import { DueAt } from '../../domain/searchAttributes';
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
  extraSearchAttributes: (r) => (r.due_at ? [{ key: DueAt, value: new Date(r.due_at) }] : []),
  describe(r, amount) {
    const money = formatAmount(amount, r.currency);
    const lines = [
      `**Payment link** for ${money} from ${r.supplier.name}`,
      ...(r.merchant_reference ? [`**Merchant reference:** ${r.merchant_reference}`] : []),
      `**Items:** ${r.items.map((i) => `${i.quantity} × ${i.description}`).join(', ')}`,
      `**Payment methods:** ${r.payment_methods.map((m) => `${m.provider}/${m.method}`).join(', ')}`,
      ...(r.due_at ? [`**Due:** ${r.due_at}`] : []),
    ];
    return { staticSummary: `Payment link · ${money}${r.merchant_reference ? ` · ${r.merchant_reference}` : ''}`, staticDetails: lines.join('\n\n') };
  },
};

export function paymentLinkRoutes(deps: CreatePaymentDeps): Router {
  return Router().post('/payment-links', requireJsonBody, createPaymentHandler(paymentLinkFlow, deps)).all('/payment-links', methodNotAllowed('POST'));
}
