import express, { type Router } from 'express';
import type { SandboxContext } from '../context';
import { PingError } from '../errors';
import { expireDueLinks, payLink } from '../lifecycle';
import { messagePage, sendPage } from '../pages/html';
import { labels } from '../pages/labels';
import { linkCheckoutPage } from '../pages/linkCheckoutPage';

function field(body: unknown, name: string): string | undefined {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.trim() : undefined;
}

/**
 * The hosted checkout behind a link's `checkout_url`: plain HTML forms, so it works without
 * JavaScript and Playwright can drive it by ids. The payer may correct the pre-filled details;
 * the corrected ones are stored on the link.
 */
export function linkCheckoutRoutes(ctx: SandboxContext): Router {
  const router = express.Router();
  router.use(express.urlencoded({ extended: false, limit: '20kb' }));

  const find = (id: string) => {
    const link = ctx.store.findLink(id.toLowerCase());
    if (link) expireDueLinks(ctx, ctx.store.tenant(link.tenantId));
    return link;
  };

  router.get('/checkout/payment-links/:id', (req, res) => {
    const link = find(req.params.id);
    if (!link) return messagePage(res, 404, 'Not found', 'There is no such payment link.');
    const notice = req.query.cancelled === '1' ? labels(link.locale).cancelled : undefined;
    sendPage(res, 200, linkCheckoutPage({ link, notice }));
  });

  router.post('/checkout/payment-links/:id/pay', (req, res) => {
    const link = find(req.params.id);
    if (!link) return messagePage(res, 404, 'Not found', 'There is no such payment link.');
    const customer = {
      first_name: field(req.body, 'first_name'),
      last_name: field(req.body, 'last_name'),
      email: field(req.body, 'email'),
      phone: field(req.body, 'phone'),
    };
    if (link.status === 'CREATED' && (!customer.first_name || !customer.last_name)) {
      return sendPage(res, 422, linkCheckoutPage({ link, customer, error: labels(link.locale).nameRequired }));
    }
    const [provider, method] = (field(req.body, 'method') ?? '').split(':');
    if (!link.providerMethods.some((m) => m.provider === provider && m.method === method)) {
      return sendPage(res, 400, linkCheckoutPage({ link, customer, error: 'Choose one of the offered payment methods.' }));
    }
    try {
      payLink(ctx, link, { provider: provider!, method: method!, customer });
    } catch (err) {
      if (err instanceof PingError) return sendPage(res, 409, linkCheckoutPage({ link, error: err.message }));
      throw err;
    }
    res.redirect(303, link.checkoutSuccessUrl ?? `/checkout/payment-links/${link.id}`);
  });

  // The payer leaves the checkout; the link itself stays payable (only the tenant cancels a link).
  router.post('/checkout/payment-links/:id/cancel', (req, res) => {
    const link = find(req.params.id);
    if (!link) return messagePage(res, 404, 'Not found', 'There is no such payment link.');
    res.redirect(303, link.checkoutCancelUrl ?? `/checkout/payment-links/${link.id}?cancelled=1`);
  });

  return router;
}
