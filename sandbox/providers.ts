import { randomBytes, randomUUID } from 'node:crypto';
import type { Currency, JsonObject, PaymentStatus, ReferenceType } from './entities';
import { PAYMENT_STATUSES } from './entities';
import type { ErrorDetail } from './errors';
import { qrSvg } from './qr';
import { newReference } from './references';

/**
 * What each provider/method pair of docs/ping-contract.md §2.5 needs and answers. Parameters that it
 * names as the pair's own are checked (422, property `<provider>.<key>`, as in Ping's [PY] example
 * `open_banking.success_url`); any others are kept and ignored.
 */

export interface ResponseContext {
  paymentId: string;
  currency: Currency;
  params: JsonObject;
  /** The hosted page where a person (or a test) finishes this payment. */
  checkoutPageUrl: string;
  invoiceUrl: string;
}

export interface ProviderRule {
  required: readonly string[];
  currency?: Currency;
  /** Where the payment starts: waiting for a redirect (INITIATED) or for the payer or bank (PENDING). */
  initialStatus: PaymentStatus;
  /** The provider settles it on its own after the sandbox's provider delay (dummy, credit). */
  settlesAutomatically?: (params: JsonObject) => PaymentStatus;
  /** True when `checkoutPageUrl` is where the payer goes (redirect-style providers). */
  hostedPage: boolean;
  response(ctx: ResponseContext): JsonObject;
  check?(params: JsonObject): ErrorDetail[];
}

const token = (): string => randomBytes(16).toString('hex');

function isStatus(v: unknown): v is PaymentStatus {
  return typeof v === 'string' && (PAYMENT_STATUSES as readonly string[]).includes(v);
}

const redirectToPage =
  (key: string) =>
  ({ checkoutPageUrl }: ResponseContext): JsonObject => ({ [key]: checkoutPageUrl });

const RULES: Record<string, ProviderRule> = {
  'dummy/dummy': {
    required: [],
    initialStatus: 'INITIATED',
    hostedPage: false,
    check: (p) =>
      p.desired_payment_status == null || isStatus(p.desired_payment_status)
        ? []
        : [
            {
              error: 'invalid_value',
              description: `desired_payment_status must be one of ${PAYMENT_STATUSES.join(', ')}`,
              property: 'dummy.desired_payment_status',
            },
          ],
    settlesAutomatically: (p) => (isStatus(p.desired_payment_status) ? p.desired_payment_status : 'COMPLETED'),
    response: () => ({}),
  },
  'swish/e_commerce': {
    required: ['phone_number'],
    currency: 'SEK',
    initialStatus: 'PENDING',
    hostedPage: false,
    response: () => ({}),
  },
  'swish/m_commerce': {
    required: [],
    currency: 'SEK',
    initialStatus: 'PENDING',
    hostedPage: false,
    response: ({ params }) => {
      const requestToken = token();
      const url = `swish://paymentrequest?token=${requestToken}&callbackurl=merchant%253A%252F%252F`;
      const size = typeof params.qr_size === 'number' ? params.qr_size : 300;
      return { url, payment_request_token: requestToken, qr_code: params.use_qr_code === true ? qrSvg(`D${requestToken}`, size) : null };
    },
  },
  'swish/recurring': { required: ['consent_id'], currency: 'SEK', initialStatus: 'PENDING', hostedPage: false, response: () => ({}) },
  'payment_iq/card': { required: ['success_url', 'error_url'], initialStatus: 'INITIATED', hostedPage: true, response: redirectToPage('pay_url') },
  'payment_iq/vipps': {
    required: ['success_url', 'error_url'],
    currency: 'NOK',
    initialStatus: 'INITIATED',
    hostedPage: true,
    response: redirectToPage('pay_url'),
  },
  'billmate/invoice': { required: [], currency: 'SEK', initialStatus: 'PENDING', hostedPage: true, response: redirectToPage('invoice_url') },
  'fortus/invoice': {
    required: ['invoice'],
    currency: 'SEK',
    initialStatus: 'PENDING',
    hostedPage: true,
    response: ({ params, checkoutPageUrl }) => {
      const bankid = params.bankid as JsonObject | null | undefined;
      if (!bankid) return { bankid: null, instruction: `Sign the invoice purchase at ${checkoutPageUrl}` };
      const autostart = randomUUID();
      const otherDevice = bankid.method === 'other_device';
      return {
        bankid: {
          app_launch_url: otherDevice ? null : `bankid:///?autostarttoken=${autostart}&redirect=null`,
          qr_code: otherDevice ? qrSvg(`bankid.${autostart}`, typeof bankid.qr_code_size === 'number' ? bankid.qr_code_size : 300) : null,
        },
        instruction: otherDevice ? 'Scan the QR code with the BankID app' : 'Open the BankID app on this device',
      };
    },
  },
  'ping/deposit': {
    required: [],
    initialStatus: 'PENDING',
    hostedPage: false,
    check: (p) =>
      p.reference_type == null || p.reference_type === 'OCR' || p.reference_type === 'KID'
        ? []
        : [{ error: 'invalid_value', description: 'reference_type must be OCR or KID', property: 'ping.reference_type' }],
    response: ({ params, invoiceUrl, currency }) => {
      const type: ReferenceType = params.reference_type === 'KID' ? 'KID' : 'OCR';
      const reference = typeof params.reference === 'string' && params.reference ? params.reference : newReference(type);
      const bankAccount = {
        iban: 'SE4850000000054401096835',
        bban: '50000000054401096835',
        bic: 'ESSESESS',
        bankgiro_number: '5050-1055',
        currency,
        clearing_number: '5440',
        account_number: '1096835',
      };
      return {
        reference,
        bank_account: bankAccount,
        invoice: { display_url: invoiceUrl, download_url: `${invoiceUrl}?download=1` },
        deposit_account: bankAccount,
      };
    },
  },
  'ping/credit': {
    required: ['liquidity_account_id'],
    initialStatus: 'INITIATED',
    hostedPage: false,
    settlesAutomatically: () => 'COMPLETED',
    response: () => ({}),
  },
  'baase/bank_loan': {
    required: [],
    currency: 'SEK',
    initialStatus: 'INITIATED',
    hostedPage: true,
    response: ({ checkoutPageUrl }) => ({ qr_code: qrSvg(checkoutPageUrl), redirect_url: checkoutPageUrl, reference: newReference('OCR') }),
  },
  'bankgirot/autogiro': { required: ['consent_id'], currency: 'SEK', initialStatus: 'PENDING', hostedPage: false, response: () => ({}) },
  'vipps_mobilepay/checkout': { required: ['return_url'], initialStatus: 'INITIATED', hostedPage: true, response: redirectToPage('checkout_url') },
  'quickpay/vipps': { required: ['redirect_url'], initialStatus: 'INITIATED', hostedPage: true, response: redirectToPage('payment_link_url') },
  'klarna/hpp': { required: ['redirect_urls'], initialStatus: 'INITIATED', hostedPage: true, response: redirectToPage('redirect_url') },
  /**
   * Not modelled by Ping's SDK (docs/ping-contract.md §2.5). Parameters follow the older Python
   * docs, all four required. The response key for the bank checkout URL is unknown: the sandbox answers
   * `provider_method_response.url` (the key Swish uses for its URL), and clients should also look
   * for `redirect_url`/`checkout_url`/`pay_url` when talking to the real API.
   */
  'open_payments/pis': {
    required: ['success_url', 'error_url', 'cancel_url', 'reference'],
    initialStatus: 'INITIATED',
    hostedPage: true,
    response: redirectToPage('url'),
  },
};

export function providerRule(provider: string, method: string): ProviderRule | undefined {
  return RULES[`${provider}/${method}`];
}

/** The pairs the Payment Links SDK knows (docs/ping-contract.md §5.2). Dummy is commented out there, PIS absent. */
const LINK_PAIRS = new Set([
  'swish/e_commerce',
  'swish/m_commerce',
  'billmate/invoice',
  'payment_iq/card',
  'payment_iq/vipps',
  'quickpay/vipps',
]);

export function isLinkProviderMethod(provider: string, method: string): boolean {
  return LINK_PAIRS.has(`${provider}/${method}`);
}

/** Checks the parameters of a pair; an empty list means they are fine. */
export function checkProviderParameters(provider: string, method: string, currency: Currency, params: JsonObject): ErrorDetail[] {
  const rule = providerRule(provider, method);
  if (!rule) {
    return [
      {
        error: 'unsupported_provider_method',
        description: `${provider}/${method} is not a supported provider and method combination`,
        property: 'method',
      },
    ];
  }
  const errors: ErrorDetail[] = [];
  if (rule.currency && rule.currency !== currency) {
    errors.push({ error: 'invalid_currency', description: `${provider}/${method} supports only ${rule.currency}`, property: 'currency' });
  }
  for (const key of rule.required) {
    const value = params[key];
    if (value === undefined || value === null || value === '') {
      errors.push({ error: 'null_value', description: `null value where ${key} expected`, property: `${provider}.${key}` });
    }
  }
  return errors.concat(rule.check?.(params) ?? []);
}

export type PageOutcome = 'success' | 'cancel' | 'error';

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

/**
 * Where the provider's page sends the payer after each outcome. Providers name their redirect
 * parameters differently (docs/ping-contract.md §8.5, §8.7); PaymentIQ has no cancel URL, so a
 * cancel goes to its error URL, as the SDK's own helper does.
 */
export function redirectFor(params: JsonObject, outcome: PageOutcome): string | undefined {
  const urls = (params.redirect_urls ?? {}) as JsonObject;
  const fallback = str(params.return_url) ?? str(params.redirect_url);
  switch (outcome) {
    case 'success':
      return str(params.success_url) ?? str(urls.success) ?? fallback;
    case 'cancel':
      return str(params.cancel_url) ?? str(urls.cancel) ?? str(urls.back) ?? str(params.error_url) ?? fallback;
    case 'error':
      return str(params.error_url) ?? str(urls.error) ?? str(urls.failure) ?? fallback;
  }
}
