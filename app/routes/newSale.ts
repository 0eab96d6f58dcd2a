import { Router, type Request, type Response } from 'express';
import type { MerchantResource } from '../../domain/merchant';
import type { PaymentResource } from '../../domain/payment';
import type { Assets } from '../assets';
import { apiOf, field, requireCsrf, requireSignIn, signedIn } from '../context';
import { raise } from '../errors';
import { merchantCurrency } from '../money';
import { emptyRow, errorsFromParam, MAX_ITEMS, newSaleInput, readSaleForm, saleRequest, validSaleKey, type SaleErrors, type SaleInput } from '../saleForm';
import { SessionStore } from '../sessions';
import { newSalePage } from '../views/newSale';
import { salePath } from '../views/sale';

/** The merchant as its own key reads it: name, status, payment methods and the defaults a link takes. */
async function readMerchant(req: Request, res: Response): Promise<MerchantResource> {
  const answer = await apiOf(req, res).get<MerchantResource>(`/v1/merchants/${signedIn(res).session.merchantId}`);
  if (!answer.ok) raise(answer);
  return answer.body;
}

export function newSaleRoutes({ assets }: { assets: Assets }): Router {
  const router = Router();

  const render = (res: Response, merchant: MerchantResource, input: SaleInput, status = 200, errors?: SaleErrors) => {
    const currency = merchantCurrency(merchant);
    const methods = merchant.payment_methods ?? [];
    res
      .status(status)
      .type('html')
      .send(
        newSalePage({
          context: signedIn(res),
          assets,
          merchantName: merchant.display_name ?? merchant.profile.name,
          merchantStatus: merchant.status,
          currency,
          methods,
          input: input.method ? input : { ...input, method: methods[0] ? `${methods[0].provider}:${methods[0].method}` : '' },
          errors,
        }),
      );
  };

  router.get('/', requireSignIn, async (req, res) => {
    const merchant = await readMerchant(req, res);
    render(res, merchant, newSaleInput(merchantCurrency(merchant)));
  });

  /**
   * "Charge": the sale as `POST /v1/payment-links` with the session's key, Idempotency-Key
   * `app-<sale_key>`. A double tap or a resubmitted form sends the same key and body and gets the
   * same payment; the same key with another body (the seller changed the form after a lost answer)
   * is the API's 409, and the payment that key made is the sale. Then 303 to the sale screen.
   */
  router.post('/sales', requireCsrf, requireSignIn, async (req, res) => {
    const context = signedIn(res);
    const { t } = context;
    const merchant = await readMerchant(req, res);
    const currency = merchantCurrency(merchant);
    const input = readSaleForm(req);
    if (input.items.length === 0) input.items.push(emptyRow(currency));
    if (field(req, 'action') === 'add_item') {
      if (input.items.length < MAX_ITEMS) input.items.push(emptyRow(currency));
      return render(res, merchant, input);
    }
    if (!validSaleKey(input.saleKey)) {
      // Not a form this app rendered: a new key, and the seller sends it again knowingly.
      return render(res, merchant, { ...input, saleKey: newSaleInput(currency).saleKey }, 422, { items: {}, form: t.invalid.form });
    }
    const built = saleRequest(input, { merchant, currency, t });
    if (!built.ok) return render(res, merchant, input, 422, built.errors);

    const api = apiOf(req, res);
    const idempotencyKey = `app-${input.saleKey}`;
    const answer = await api.post<PaymentResource>('/v1/payment-links', built.body, { idempotencyKey });
    let paymentId: string | undefined;
    if (answer.ok) paymentId = answer.body.id;
    else if (answer.status === 409 && answer.error.code === 'idempotency_key_reused') {
      const id = `payment-link-${context.session.merchantId}.${idempotencyKey}`;
      const existing = await api.get<PaymentResource>(`/v1/payments/${encodeURIComponent(id)}`);
      if (existing.ok) paymentId = existing.body.id;
    }
    if (!paymentId) {
      if (answer.ok) throw new Error('unreachable');
      if (answer.status === 401 || answer.status === 404 || (answer.status >= 500 && answer.status !== 502)) raise(answer);
      const message =
        answer.status === 422
          ? t.create.pingRefused(answer.error.code)
          : answer.status === 502
            ? t.create.pingUnavailable
            : answer.status === 429
              ? t.errors.rateLimited
              : t.create.failed(answer.error.code);
      const errors = answer.status === 400 ? errorsFromParam(answer.error.param, input, t, message) : { items: {}, form: message };
      return render(res, merchant, input, answer.status === 429 ? 429 : 422, errors);
    }
    SessionStore.remember(context.session, paymentId, { phone: input.phone || undefined, email: input.email || undefined });
    res.redirect(303, salePath(paymentId));
  });

  return router;
}
