import {
  allocationSchema,
  checkoutUrlFrom,
  createPaymentLinkRequestSchema,
  initiatePaymentRequestSchema,
  paymentLinkSchema,
  paymentLinkStatusCallbackSchema,
  paymentOrderExtendedSchema,
  paymentSchema,
  paymentStatusCallbackSchema,
  refundRequestSchema,
  refundResponseSchema,
  type InitiatePaymentInput,
} from '../../ping';

/** The schemas on their own: which request shapes pass, and how loosely callbacks and reads are taken. */

const MERCHANT_ID = '0b0c1d2e-3f40-4152-8364-758697a8b9ca';
const ORDER_ID = '7b0a7d52-3b1e-4a55-9b61-1f1c2b7c9a10';
const PAYMENT_ID = '15c44587-7ebb-43a3-b437-8d00e5f8df7a';
const LINK_ID = 'a25cdd3b-f95f-4861-87e4-1ca0a6be748e';

const base = {
  currency: 'SEK' as const,
  total_amount: 5000,
  order_items: [{ amount: 5000, name: 'Tea', vat_rate: 12, merchant_id: MERCHANT_ID }],
};

function issuePaths(input: unknown): string[] {
  const result = initiatePaymentRequestSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => i.path.join('.'));
}

describe('initiate payment request', () => {
  test('dummy gets COMPLETED as its desired status unless told otherwise', () => {
    const parsed = initiatePaymentRequestSchema.parse({ ...base, provider: 'dummy', method: 'dummy', provider_method_parameters: {} });
    expect(parsed.provider_method_parameters).toEqual({ desired_payment_status: 'COMPLETED' });
    const declined = initiatePaymentRequestSchema.parse({ ...base, provider: 'dummy', method: 'dummy', provider_method_parameters: { desired_payment_status: 'DECLINED' } });
    expect(declined.provider_method_parameters).toEqual({ desired_payment_status: 'DECLINED' });
  });

  test.each<[string, InitiatePaymentInput]>([
    ['swish e_commerce', { ...base, provider: 'swish', method: 'e_commerce', provider_method_parameters: { message: 'Tack', phone_number: '0701234567' } }],
    [
      'swish m_commerce',
      {
        ...base,
        provider: 'swish',
        method: 'm_commerce',
        provider_method_parameters: { message: 'Tack', use_qr_code: true, qr_format: 'transparent_svg', qr_size: 300, qr_border: 1 },
      },
    ],
    [
      'payment_iq card',
      {
        ...base,
        provider: 'payment_iq',
        method: 'card',
        provider_method_parameters: { success_url: 'https://a.example/ok', error_url: 'https://a.example/err', locale: 'sv-SE', cashier: null },
      },
    ],
    ['ping deposit', { ...base, provider: 'ping', method: 'deposit', provider_method_parameters: { reference_type: 'OCR', complete_when_funded: false } }],
    ['klarna hpp (generic)', { ...base, provider: 'klarna', method: 'hpp', provider_method_parameters: { locale: 'sv-SE', anything: { goes: true } } }],
  ])('%s passes', (_name, input) => {
    expect(issuePaths(input)).toEqual([]);
  });

  test('a swish e-commerce payment without the payer number is reported under that pair', () => {
    expect(issuePaths({ ...base, provider: 'swish', method: 'e_commerce', provider_method_parameters: { message: 'Tack' } })).toEqual(['provider_method_parameters.phone_number']);
  });

  test('a method the provider does not have is reported at method, an unknown provider at provider', () => {
    expect(issuePaths({ ...base, provider: 'swish', method: 'pis', provider_method_parameters: {} })).toEqual(['method']);
    expect(issuePaths({ ...base, provider: 'open_banking', method: 'pis', provider_method_parameters: {} })).toEqual(['provider']);
    // A provider with a single pair is an object, not a union: all its problems are listed.
    expect(issuePaths({ ...base, provider: 'open_payments', method: 'e-commerce', provider_method_parameters: {} })).toContain('method');
  });

  test('PIS redirect URLs must be http(s)', () => {
    const params = { success_url: 'javascript:alert(1)', error_url: 'https://a.example/e', cancel_url: 'https://a.example/c', reference: 'r' };
    expect(issuePaths({ ...base, provider: 'open_payments', method: 'pis', provider_method_parameters: params })).toEqual(['provider_method_parameters.success_url']);
  });

  test('an order item goes to exactly one of a merchant and a liquidity account', () => {
    const both = { ...base.order_items[0], liquidity_account_id: ORDER_ID };
    const neither = { amount: 5000, name: 'Tea', vat_rate: 12 };
    const dummy = { provider: 'dummy', method: 'dummy', provider_method_parameters: {} };
    expect(issuePaths({ ...base, ...dummy, order_items: [both] })).toEqual(['order_items.0.merchant_id']);
    expect(issuePaths({ ...base, ...dummy, order_items: [neither] })).toEqual(['order_items.0.merchant_id']);
    expect(issuePaths({ ...base, ...dummy, order_items: [{ ...neither, liquidity_account_id: ORDER_ID }] })).toEqual([]);
  });

  test('amounts are integers in minor units and VAT is a percentage', () => {
    const dummy = { provider: 'dummy', method: 'dummy', provider_method_parameters: {} };
    expect(issuePaths({ ...base, ...dummy, total_amount: 50.5, order_items: [{ ...base.order_items[0], amount: 50.5 }] })).toEqual(
      expect.arrayContaining(['total_amount', 'order_items.0.amount']),
    );
    expect(issuePaths({ ...base, ...dummy, order_items: [{ ...base.order_items[0], vat_rate: 125 }] })).toEqual(['order_items.0.vat_rate']);
  });

  test('a deposit invoice needs a date of payment', () => {
    const invoice = {
      locale: 'sv-SE',
      text_fields: { headline: 'Faktura' },
      supplier: { name: 'Pizzeria AB' },
      customer: { name: 'Bertil', street_address: 'Storgatan 1', postal_code: '70225', city: 'Örebro' },
      rows: [{ description: 'Pizza', quantity: 1, vat_rate: 12, amount: 5000 }],
    };
    const deposit = { ...base, provider: 'ping', method: 'deposit' };
    expect(issuePaths({ ...deposit, provider_method_parameters: { reference_type: 'OCR', invoice } })).toEqual(['provider_method_parameters.desired_date_of_payment']);
    expect(issuePaths({ ...deposit, provider_method_parameters: { reference_type: 'OCR', invoice, desired_date_of_payment: '2026-06-30' } })).toEqual([]);
  });
});

describe('create payment link request', () => {
  const link = {
    payment_order_id: ORDER_ID,
    currency: 'NOK' as const,
    total_amount: 21000,
    locale: 'nb-NO' as const,
    customer: { first_name: 'Kari', last_name: 'Nordmann' },
    supplier: { name: 'Kafé AS' },
    items: [
      { description: 'Kaffe', merchant_id: MERCHANT_ID, price: 3500, quantity: 2, vat: 15 },
      { description: 'Bolle', merchant_id: MERCHANT_ID, price: 14000, quantity: 1, vat: 15 },
    ],
    payment_provider_methods: [{ provider: 'payment_iq' as const, method: 'vipps' as const }],
  };

  test('the total is Σ price × quantity', () => {
    expect(createPaymentLinkRequestSchema.safeParse(link).success).toBe(true);
    const wrong = createPaymentLinkRequestSchema.safeParse({ ...link, total_amount: 17500 });
    expect(wrong.success).toBe(false);
    expect(wrong.error?.issues.map((i) => i.path.join('.'))).toEqual(['total_amount']);
  });

  test('an empty provider method list is refused (Ping answers 403)', () => {
    const result = createPaymentLinkRequestSchema.safeParse({ ...link, payment_provider_methods: [] });
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['payment_provider_methods']);
  });

  test('an address is sent under both street spellings', () => {
    const parsed = createPaymentLinkRequestSchema.parse({ ...link, delivery_address: { city: 'Oslo', street_address: 'Karl Johans gate 1', zip: '0154' } });
    expect(parsed.delivery_address).toEqual({ city: 'Oslo', street_addres: 'Karl Johans gate 1', street_address: 'Karl Johans gate 1', zip: '0154' });
  });
});

describe('reads', () => {
  test('a payment link with a corrected sms spelling and Ping-only fields still reads', () => {
    const parsed = paymentLinkSchema.parse({ payment_link_id: LINK_ID, status: 'COMPLETED', total_amount: 100, sms_status: 'DELIVERED', supplier: { name: 'x' } });
    expect(parsed.sms_status).toBe('DELIVERED');
    expect(parsed).toHaveProperty('supplier', { name: 'x' });
  });

  test('nullable fields may be null or absent: .NET may drop nulls when it writes', () => {
    expect(paymentLinkSchema.safeParse({ payment_link_id: LINK_ID, status: 'CREATED', total_amount: 1, due_date: null, payment_id: null }).success).toBe(true);
    expect(paymentLinkSchema.safeParse({ payment_link_id: LINK_ID, status: 'CREATED', total_amount: 1 }).success).toBe(true);
  });

  test('a payment link status outside the contract is refused', () => {
    expect(paymentLinkSchema.safeParse({ payment_link_id: LINK_ID, status: 'PAID', total_amount: 1 }).success).toBe(false);
  });

  test('an extended order stays loose after extension', () => {
    const parsed = paymentOrderExtendedSchema.parse({ id: ORDER_ID, status: 'SPLIT', created_at: '2024-01-16T14:24:29Z', currency: 'EUR', payments: [], new_field: 'kept' });
    expect(parsed).toHaveProperty('new_field', 'kept');
    expect(paymentOrderExtendedSchema.safeParse({ id: ORDER_ID, status: 'SPLIT', created_at: 'x', currency: 'EUR', payments: [{ id: PAYMENT_ID }] }).success).toBe(false);
  });
});

describe('settlement and refunds', () => {
  test('a refund request gets the SDK default description and keeps only what Ping reads', () => {
    expect(refundRequestSchema.parse({ amount: 100, currency: 'SEK', reason: 'fraudulent', extra: 1 })).toEqual({ amount: 100, currency: 'SEK', reason: 'fraudulent', description: '' });
    expect(refundRequestSchema.safeParse({ amount: 100, currency: 'SEK' }).error?.issues.map((i) => i.path.join('.'))).toEqual(['reason']);
  });

  test('a refund answer is read whatever it holds: its status values are unknown', () => {
    expect(refundResponseSchema.parse({ amount: 100, currency: 'SEK', provider: 'dummy', status: 'COMPLETED' }).status).toBe('COMPLETED');
    expect(refundResponseSchema.parse({ status: null }).status).toBeNull();
    expect(refundResponseSchema.safeParse({ status: 42 }).success).toBe(false);
  });

  test('an allocation needs only who gets how much; every other field may be null or absent', () => {
    expect(allocationSchema.safeParse({ amount: 100, currency: 'SEK', recipient_type: 'tenant' }).success).toBe(true);
    const nulls = { merchant_id: null, disbursed_at: null, disbursement_id: null, label: null, payment_id: null, settled_at: null, recipient_bank_account: null, metadata: null };
    expect(allocationSchema.safeParse({ amount: 100, currency: 'SEK', recipient_type: 'merchant', ...nulls }).success).toBe(true);
    expect(allocationSchema.safeParse({ amount: 100, currency: 'SEK' }).error?.issues.map((i) => i.path.join('.'))).toEqual(['recipient_type']);
    expect(allocationSchema.safeParse({ amount: 100, currency: 'SEK', recipient_type: 'tenant', merchant_id: 'not-a-guid' }).success).toBe(false);
  });

  test('a payment shows its refunds as Ping writes them, refunded_at null or absent included', () => {
    const payment = { id: PAYMENT_ID, status: 'COMPLETED', currency: 'SEK', total_amount: 100, provider: 'dummy', method: 'dummy' };
    const parsed = paymentSchema.parse({ ...payment, refund: { amount: 100, refunded_at: null }, refunds: [{ amount: 100 }] });
    expect(parsed.refund).toEqual({ amount: 100, refunded_at: null });
    expect(parsed.refunds).toEqual([{ amount: 100 }]);
  });
});

describe('checkout URL from a provider response', () => {
  test('the specific names win over a bare url', () => {
    expect(checkoutUrlFrom({ url: 'https://a.example/generic', redirect_url: 'https://a.example/redirect' })).toBe('https://a.example/redirect');
    expect(checkoutUrlFrom({ url: 'https://a.example/generic', checkout_url: 'https://a.example/checkout', pay_url: 'https://a.example/pay' })).toBe('https://a.example/checkout');
  });

  test('only web URLs count', () => {
    expect(checkoutUrlFrom({ url: 'swish://paymentrequest?token=1' })).toBeUndefined();
    expect(checkoutUrlFrom({ redirect_url: 'javascript:alert(1)', url: 'https://a.example/ok' })).toBe('https://a.example/ok');
    expect(checkoutUrlFrom({ url: 'not a url' })).toBeUndefined();
    expect(checkoutUrlFrom({ url: 42 })).toBeUndefined();
  });

  test('empty, null and absent responses have none', () => {
    expect(checkoutUrlFrom({})).toBeUndefined();
    expect(checkoutUrlFrom(null)).toBeUndefined();
    expect(checkoutUrlFrom(undefined)).toBeUndefined();
  });
});

describe('callbacks', () => {
  test('the documented payment-link body (occured_at, sic) is normalised', () => {
    const body = { payment_link_id: LINK_ID, status: 'COMPLETED', occured_at: '2024-01-16T14:24:29.105356Z' };
    expect(paymentLinkStatusCallbackSchema.parse(body)).toEqual({ paymentLinkId: LINK_ID, status: 'COMPLETED', occurredAt: '2024-01-16T14:24:29.105356Z' });
  });

  test('a corrected spelling and an unknown status are accepted: the callback is only a trigger', () => {
    const parsed = paymentLinkStatusCallbackSchema.parse({ payment_link_id: LINK_ID, status: 'REFUNDED', occurred_at: '2024-01-16T14:24:29Z' });
    expect(parsed).toEqual({ paymentLinkId: LINK_ID, status: 'REFUNDED', occurredAt: '2024-01-16T14:24:29Z' });
  });

  test('a payment-link callback without the link id or status is refused, naming the field', () => {
    const noId = paymentLinkStatusCallbackSchema.safeParse({ status: 'COMPLETED' });
    expect(noId.error?.issues.map((i) => i.path.join('.'))).toEqual(['payment_link_id']);
    const noStatus = paymentLinkStatusCallbackSchema.safeParse({ payment_link_id: LINK_ID });
    expect(noStatus.error?.issues.map((i) => i.path.join('.'))).toEqual(['status']);
  });

  test.each([
    [
      'status-history style',
      { payment_id: PAYMENT_ID, payment_order_id: ORDER_ID, status: 'COMPLETED', occurred_at: '2024-01-16T14:24:29Z', funds: null },
      { paymentId: PAYMENT_ID, paymentOrderId: ORDER_ID, status: 'COMPLETED', occurredAt: '2024-01-16T14:24:29Z' },
    ],
    ['payment-resource style', { id: PAYMENT_ID, status: 'DECLINED' }, { paymentId: PAYMENT_ID, paymentOrderId: undefined, status: 'DECLINED', occurredAt: undefined }],
    [
      'link-callback spelling',
      { payment_id: PAYMENT_ID, status: 'ABORTED', occured_at: '2024-01-16T14:24:29Z' },
      { paymentId: PAYMENT_ID, paymentOrderId: undefined, status: 'ABORTED', occurredAt: '2024-01-16T14:24:29Z' },
    ],
    ['an unreadable body', { event: 'something' }, { paymentId: undefined, paymentOrderId: undefined, status: undefined, occurredAt: undefined }],
  ])('a payment status callback, %s, is normalised', (_name, body, expected) => {
    expect(paymentStatusCallbackSchema.parse(body)).toEqual(expected);
  });

  test('a payment callback with a malformed id is refused: it would point the workflow at nothing', () => {
    expect(paymentStatusCallbackSchema.safeParse({ payment_id: 'abc', status: 'COMPLETED' }).success).toBe(false);
    expect(paymentStatusCallbackSchema.safeParse('COMPLETED').success).toBe(false);
  });
});
