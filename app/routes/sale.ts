import { createHash } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { PaymentResource } from '../../domain/payment';
import type { ApiAnswer } from '../apiClient';
import type { Assets } from '../assets';
import { apiOf, field, requireCsrf, requireSignIn, signedIn } from '../context';
import { raise } from '../errors';
import { saleState } from '../saleState';
import { salePage, salePath } from '../views/sale';

const paymentPath = (id: string) => `/v1/payments/${encodeURIComponent(id)}`;

export async function readPayment(req: Request, res: Response, id: string): Promise<PaymentResource> {
  const answer = await apiOf(req, res).get<PaymentResource>(paymentPath(id));
  if (!answer.ok) raise(answer);
  return answer.body;
}

/**
 * A refund's Idempotency-Key: one per payment, so a second tap (or a retry) is the same refund. After
 * a failed refund, which its key would only repeat, one per failed attempt. At most 100 characters.
 */
export function refundKey(payment: PaymentResource): string {
  const failed = payment.refund?.status === 'failed' ? `.${Date.parse(payment.refund.requested_at)}` : '';
  const key = `app-refund-${payment.id}${failed}`;
  return key.length <= 100 ? key : `app-refund-${createHash('sha256').update(payment.id).digest('hex').slice(0, 40)}${failed}`;
}

/**
 * The sale screen and what the seller does on it. Each action is one call to the API, and its
 * answer a message on the screen after a 303 back to it (so a reload does not send it again).
 * Another merchant's payment is the API's 404, and so the app's.
 */
export function saleRoutes({ assets }: { assets: Assets }): Router {
  const router = Router();

  router.get('/sales/:id', requireSignIn, async (req, res) => {
    const id = String(req.params.id);
    const payment = await readPayment(req, res, id);
    const context = signedIn(res);
    res.type('html').send(salePage({ context, assets, payment, state: saleState(payment, context.t), contact: context.session.sales.get(payment.id) }));
  });

  /** An API answer to an action as the screen's message; the answers a screen cannot show (401, 404, 5xx but 502) are the app's error pages. */
  const outcome = (res: Response, answer: ApiAnswer<PaymentResource>, done: string, pending?: string) => {
    const context = signedIn(res);
    if (answer.ok) {
      context.session.flash = { kind: 'ok', text: answer.status === 202 && pending ? pending : done };
      return;
    }
    if (answer.status === 401 || answer.status === 404 || (answer.status >= 500 && answer.status !== 502)) raise(answer);
    const text = context.t.refusals[answer.error.code] ?? (answer.status === 429 ? context.t.errors.rateLimited : context.t.create.failed(answer.error.code));
    context.session.flash = { kind: 'error', text };
  };

  /** "Send by SMS" / "Send by e-mail": Ping sends the link to the number or address given, or the sale's own. */
  router.post('/sales/:id/send', requireCsrf, requireSignIn, async (req, res) => {
    const id = String(req.params.id);
    const channel = field(req, 'channel') === 'email' ? 'email' : 'sms';
    const to = field(req, 'to');
    const { t } = signedIn(res);
    const answer = await apiOf(req, res).post<PaymentResource>(`${paymentPath(id)}/send`, { channel, ...(to ? { to } : {}) });
    if (!answer.ok && answer.status === 400) {
      signedIn(res).session.flash = { kind: 'error', text: channel === 'sms' ? t.invalid.phone : t.invalid.email };
    } else outcome(res, answer, t.sale.sent, t.sale.sent);
    res.redirect(303, salePath(id));
  });

  router.post('/sales/:id/cancel', requireCsrf, requireSignIn, async (req, res) => {
    const id = String(req.params.id);
    const { t } = signedIn(res);
    outcome(res, await apiOf(req, res).post<PaymentResource>(`${paymentPath(id)}/cancel`, {}), t.sale.cancelled, t.sale.cancelPending);
    res.redirect(303, salePath(id));
  });

  /** The whole amount back to the payer, reason `requested_by_customer`, one Idempotency-Key per payment. */
  router.post('/sales/:id/refund', requireCsrf, requireSignIn, async (req, res) => {
    const id = String(req.params.id);
    const { t } = signedIn(res);
    const payment = await readPayment(req, res, id);
    const answer = await apiOf(req, res).post<PaymentResource>(`${paymentPath(id)}/refunds`, { reason: 'requested_by_customer' }, { idempotencyKey: refundKey(payment) });
    const pending = answer.ok && answer.body.refund?.status === 'pending';
    const failed = answer.ok && answer.body.refund?.status === 'failed';
    if (failed) signedIn(res).session.flash = { kind: 'error', text: t.sale.refundFailed };
    else outcome(res, answer, pending ? t.sale.refundPending : t.sale.refunded);
    res.redirect(303, salePath(id));
  });

  return router;
}
