import { randomUUID } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import type { SandboxContext } from '../context';
import type { Payment, PaymentStatus } from '../entities';
import { isFinal, setPaymentStatus } from '../lifecycle';
import { BANKS, bankIdPage, chooseBankPage, paymentResultPage, providerPage } from '../pages/bankPages';
import { messagePage, sendPage } from '../pages/html';
import { providerRule, redirectFor, type PageOutcome } from '../providers';
import { qrSvg } from '../qr';

/**
 * What each button on a provider page means (docs/ping-contract.md §3.1 gives only the names, [INFER]):
 * the payer cancelling is ABORTED ("payer aborted or cancelled"), the bank saying no is DECLINED
 * ("provider declined"), a technical failure is CRASHED; each goes to the matching redirect URL.
 */
const OUTCOMES: Record<string, { status: PaymentStatus; redirect: PageOutcome }> = {
  pay: { status: 'COMPLETED', redirect: 'success' },
  cancel: { status: 'ABORTED', redirect: 'cancel' },
  decline: { status: 'DECLINED', redirect: 'error' },
  error: { status: 'CRASHED', redirect: 'error' },
};

const isPis = (p: Payment): boolean => p.provider === 'open_payments' && p.method === 'pis';

/** The bank (PIS) and provider pages behind `provider_method_response` URLs. Frameable, like a real bank checkout. */
export function bankCheckoutRoutes(ctx: SandboxContext): Router {
  const router = express.Router();
  router.use(express.urlencoded({ extended: false, limit: '10kb' }));

  const find = (req: Request, res: Response): Payment | undefined => {
    const payment = ctx.store.findPayment(String(req.params.id).toLowerCase());
    if (!payment || !providerRule(payment.provider, payment.method)?.hostedPage) {
      messagePage(res, 404, 'Not found', 'There is no such payment to complete here.');
      return undefined;
    }
    if (isFinal(payment)) {
      sendPage(res, 200, paymentResultPage(payment));
      return undefined;
    }
    return payment;
  };

  router.get('/checkout/payments/:id', (req, res) => {
    const payment = find(req, res);
    if (!payment) return;
    if (!isPis(payment)) return sendPage(res, 200, providerPage(payment));
    if (payment.bank) return res.redirect(303, `/checkout/payments/${payment.id}/bankid`);
    sendPage(res, 200, chooseBankPage(payment));
  });

  router.post('/checkout/payments/:id/bank', (req, res) => {
    const payment = find(req, res);
    if (!payment) return;
    const bank = BANKS.find((b) => b.id === (req.body as Record<string, unknown> | undefined)?.bank);
    if (!isPis(payment) || !bank) return sendPage(res, 400, chooseBankPage(payment));
    payment.bank = bank.id;
    // The payer is now with their bank: the payment waits for them.
    setPaymentStatus(ctx, payment, 'PENDING', { providerData: { bank: bank.id } });
    res.redirect(303, `/checkout/payments/${payment.id}/bankid`);
  });

  router.get('/checkout/payments/:id/bankid', (req, res) => {
    const payment = find(req, res);
    if (!payment) return;
    const bank = BANKS.find((b) => b.id === payment.bank);
    if (!bank) return res.redirect(303, `/checkout/payments/${payment.id}`);
    const autostart = randomUUID();
    const mobile = /Mobi|Android|iPhone|iPad/i.test(req.get('user-agent') ?? '');
    const appLaunch = `bankid:///?autostarttoken=${autostart}&redirect=null`;
    sendPage(res, 200, bankIdPage(payment, bank.name, mobile ? '' : qrSvg(`bankid.${autostart}.0.${payment.id}`), appLaunch, mobile));
  });

  router.post('/checkout/payments/:id/complete', (req, res) => {
    const payment = find(req, res);
    if (!payment) return;
    const outcome = OUTCOMES[String((req.body as Record<string, unknown> | undefined)?.outcome)];
    if (!outcome) return messagePage(res, 400, 'Unknown choice', 'Choose pay, cancel, decline or error.');
    setPaymentStatus(ctx, payment, outcome.status, { providerData: { bank: payment.bank, outcome: outcome.redirect } });
    const target = redirectFor(payment.providerMethodParameters, outcome.redirect);
    if (target) return res.redirect(303, target);
    sendPage(res, 200, paymentResultPage(payment));
  });

  return router;
}
