import { Router } from 'express';
import { formatAmount } from '../../domain/format';
import { DEFAULT_PIS_TIMEOUT_SECONDS, type PisPaymentRequest } from '../../domain/requests';
import { pisPaymentRequestSchema } from '../schemas/pisPayment';
import { methodNotAllowed } from '../errors';
import { requireJsonBody } from '../requestBody';
import { createPaymentHandler, type CreatePaymentDeps, type FlowSpec } from './createPayment';
import { PAYMENT_ID_PREFIXES } from '../../domain/ids';
import { pisPaymentAmount } from '../../domain/amount';

const pisFlow: FlowSpec<PisPaymentRequest> = {
  flow: 'pis',
  idPrefix: PAYMENT_ID_PREFIXES.pis,
  workflowType: 'pisPayment',
  schema: pisPaymentRequestSchema,
  amountOf: pisPaymentAmount,
  currencyOf: (r) => r.currency,
  referenceOf: (r) => r.reference,
  describe(r, amount) {
    const money = formatAmount(amount, r.currency);
    const lines = [
      `**Open-banking payment** (Ping open_payments/pis) for ${money}${r.merchant_name ? ` to ${r.merchant_name}` : ''}`,
      ...(r.reference ? [`**Reference:** ${r.reference}`] : []),
      `**Items:** ${r.order_items.map((i) => i.name).join(', ')}`,
      `**Payer deadline:** ${r.timeout_seconds ?? DEFAULT_PIS_TIMEOUT_SECONDS} s after start`,
    ];
    return { staticSummary: `PIS payment · ${money}${r.reference ? ` · ${r.reference}` : ''}`, staticDetails: lines.join('\n\n') };
  },
};

export function pisPaymentRoutes(deps: CreatePaymentDeps): Router {
  return Router().post('/pis-payments', requireJsonBody, createPaymentHandler(pisFlow, deps)).all('/pis-payments', methodNotAllowed('POST'));
}
