/**
 * Where to send the payer after initiating a payment, read from `provider_method_response`.
 *
 * For `open_payments`/`pis` the key that holds the bank checkout URL is UNKNOWN: the C# SDK has no
 * model for the pair and the older docs do not show a response (docs/ping-contract.md §2.5, §9).
 * The safest reading is to accept every name Ping already uses for "the page the payer goes to" in
 * another provider's response (`url` for Swish, `pay_url` for PaymentIQ, `redirect_url` for Klarna and
 * Baase, `checkout_url` for Vipps MobilePay, `payment_link_url` for QuickPay) plus the generic
 * `payment_url`, so whichever one the real API picks works unchanged.
 *
 * The order decides only if several are present: names that can only mean "send the payer here"
 * come before the bare `url`, which is the least specific.
 *
 * Only http(s) URLs count: the result is handed to a browser as a redirect or an iframe source, where a
 * `swish://` deep link is useless and a `javascript:` URL would be dangerous.
 */
export const CHECKOUT_URL_KEYS = ['checkout_url', 'redirect_url', 'pay_url', 'payment_url', 'payment_link_url', 'url'] as const;

function isWebUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const { protocol } = new URL(value);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

/** The payer-facing web URL in a provider response, or undefined when it holds none. */
export function checkoutUrlFrom(providerMethodResponse: Readonly<Record<string, unknown>> | null | undefined): string | undefined {
  if (!providerMethodResponse) return undefined;
  for (const key of CHECKOUT_URL_KEYS) {
    const value = providerMethodResponse[key];
    if (isWebUrl(value)) return value;
  }
  return undefined;
}
