import type { MerchantAuth } from '../domain/merchant';
import type { PaymentFlow } from '../domain/payment';
import { ApiError } from './errors';

type Body = Record<string, unknown>;

/**
 * A create for one merchant: every item pays that merchant at Ping, and what the request leaves out
 * comes from the merchant's settings (supplier, notify_url, payment methods, locale). An item that
 * names another Ping merchant is refused, so a merchant's key can never route money elsewhere.
 * Applied before the body is validated, so the defaults are checked like anything sent.
 */
export function withMerchantDefaults(body: unknown, flow: PaymentFlow, merchant: MerchantAuth): unknown {
  if (merchant.status !== 'approved') {
    throw new ApiError(409, 'invalid_request_error', 'merchant_not_approved', `The merchant is ${merchant.status} at Ping, not approved: it cannot take payments yet`);
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const pingMerchantId = merchant.pingMerchantId!;
  const request: Body = { ...(body as Body) };
  const itemsKey = flow === 'link' ? 'items' : 'order_items';
  const items = request[itemsKey];
  if (Array.isArray(items)) {
    request[itemsKey] = items.map((item: unknown, index) => {
      if (!item || typeof item !== 'object') return item;
      const named = (item as Body).merchant_id;
      if (named !== undefined && String(named).toLowerCase() !== pingMerchantId.toLowerCase()) {
        throw new ApiError(403, 'invalid_request_error', 'merchant_mismatch', 'An item names another merchant: a merchant takes payments for itself only', `${itemsKey}[${index}].merchant_id`);
      }
      return { ...(item as Body), merchant_id: pingMerchantId };
    });
  }
  const { settings } = merchant;
  const fill = (field: string, value: unknown) => {
    if (request[field] === undefined && value !== null && value !== undefined) request[field] = value;
  };
  fill('notify_url', settings.notify_url);
  fill('locale', settings.locale);
  if (flow === 'link') {
    fill('supplier', settings.supplier ?? (settings.display_name ? { name: settings.display_name } : null));
    fill('payment_methods', settings.payment_methods);
  } else {
    fill('merchant_name', settings.display_name);
  }
  return request;
}
