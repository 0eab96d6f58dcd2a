import { Router, type Request, type Response } from 'express';
import type { MerchantResource } from '../../domain/merchant';
import type { Assets } from '../assets';
import { apiOf, requireSignIn, signedIn } from '../context';
import { raise } from '../errors';
import { isPaid, stockholmDay } from '../format';
import { merchantCurrency } from '../money';
import { salesPage, type PaymentRow } from '../views/sales';

interface ListPage {
  data: PaymentRow[];
  has_more: boolean;
  next_cursor: string | null;
}

/** At most this many pages of 100 are read for one day: 2 000 sales, a busy shop's day; beyond it the page says there are more. */
const MAX_PAGES = 20;
const SEARCHABLE = /^[^'"\\\p{Cc}]{1,128}$/u;

/**
 * Today's sales (since midnight in Sweden): `GET /v1/payments` newest first, 100 a page, until a
 * page reaches yesterday. With `?reference=`, the sales with that merchant reference, any day (the
 * API's exact `merchant_reference` filter), one page.
 */
async function listSales(req: Request, res: Response, reference: string | undefined): Promise<{ rows: PaymentRow[]; truncated: boolean }> {
  const api = apiOf(req, res);
  const today = stockholmDay(new Date());
  const rows: PaymentRow[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const query = new URLSearchParams({ limit: '100' });
    if (reference !== undefined) query.set('merchant_reference', reference);
    if (cursor) query.set('cursor', cursor);
    const answer = await api.get<ListPage>(`/v1/payments?${query.toString()}`);
    if (!answer.ok) raise(answer);
    if (reference !== undefined) return { rows: answer.body.data, truncated: answer.body.has_more };
    for (const row of answer.body.data) {
      if (stockholmDay(row.created_at) < today) return { rows, truncated: false };
      rows.push(row);
    }
    if (!answer.body.has_more || !answer.body.next_cursor) return { rows, truncated: false };
    cursor = answer.body.next_cursor;
  }
  return { rows, truncated: true };
}

export function salesRoutes({ assets }: { assets: Assets }): Router {
  const router = Router();
  router.get('/sales', requireSignIn, async (req, res) => {
    const context = signedIn(res);
    const raw = typeof req.query.reference === 'string' ? req.query.reference.trim() : '';
    const reference = raw === '' ? undefined : raw;
    const merchant = await apiOf(req, res).get<MerchantResource>(`/v1/merchants/${context.session.merchantId}`);
    if (!merchant.ok) raise(merchant);
    const currency = merchantCurrency(merchant.body);
    if (reference !== undefined && !SEARCHABLE.test(reference)) {
      return res.status(400).type('html').send(salesPage({ context, assets, rows: [], totals: [], reference, truncated: false, currency, error: context.t.invalid.reference }));
    }
    const { rows, truncated } = await listSales(req, res, reference);
    const totals = new Map<string, { currency: string; amount: number; count: number }>();
    for (const row of rows) {
      if (!row.status || !isPaid(row.status) || row.amount === null || !row.currency) continue;
      const total = totals.get(row.currency) ?? { currency: row.currency, amount: 0, count: 0 };
      total.amount += row.amount;
      total.count += 1;
      totals.set(row.currency, total);
    }
    res.type('html').send(salesPage({ context, assets, rows, totals: [...totals.values()], reference, truncated, currency }));
  });
  return router;
}
