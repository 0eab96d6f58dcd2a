import { Agent, type Dispatcher } from 'undici';
import type { z } from 'zod';
import { pingId } from './commonSchemas';
import { invalidRequestError, invalidResponseError, describeIssues } from './errors';
import {
  createPaymentLinkInvoiceRequestSchema,
  createPaymentLinkRequestSchema,
  createPaymentLinkResponseSchema,
  distributePaymentLinkRequestSchema,
  paymentLinkInvoiceSchema,
  paymentLinkListSchema,
  paymentLinkReceiptSchema,
  paymentLinkSchema,
  type CreatePaymentLinkInput,
  type CreatePaymentLinkInvoiceInput,
  type CreatePaymentLinkResponse,
  type DistributePaymentLinkInput,
  type PaymentLink,
  type PaymentLinkInvoice,
  type PaymentLinkReceipt,
} from './paymentLinksSchemas';
import {
  allocationListSchema,
  createdResponseSchema,
  createPaymentOrderRequestSchema,
  fastForwardRequestSchema,
  initiatePaymentRequestSchema,
  initiatePaymentResponseSchema,
  paymentOrderExtendedSchema,
  paymentPageSchema,
  paymentSchema,
  refundRequestSchema,
  refundResponseSchema,
  type CreatedResponse,
  type CreatePaymentOrderInput,
  type InitiatePaymentInput,
  type InitiatePaymentResponse,
  type Payment,
  type PaymentOrderAllocation,
  type PaymentOrderExtended,
  type RefundPaymentInput,
  type RefundResponse,
} from './paymentsSchemas';
import {
  createMerchantRequestSchema,
  merchantPageSchema,
  merchantSchema,
  tenantSchema,
  updateTenantRequestSchema,
  type CreateMerchantInput,
  type Merchant,
  type Tenant,
  type UpdateTenantInput,
} from './merchantsSchemas';
import { checkoutUrlFrom } from './pisCheckoutUrl';
import { createTransport, type Exchange, type ExchangeResult, type PingCallObserver } from './transport';

export interface PingClientOptions {
  /** e.g. `https://sandbox.pingpayments.com/payments/`; a missing trailing '/' is added, as the SDK does. */
  paymentsApiUrl: string;
  /** e.g. `https://sandbox.pingpayments.com/payment_links/`. */
  paymentLinksApiUrl: string;
  tenantId: string;
  apiSecret?: string;
  /** Whole-exchange limit per request, body included. Default 10 s. */
  timeoutMs?: number;
  /** For tests or a shared pool; when given, `close()` leaves it open since the caller owns it. */
  dispatcher?: Dispatcher;
  /** Told about every HTTP call once it ends (endpoint, status, duration, error code): the hook for metrics. */
  observer?: PingCallObserver;
}

/** Filters of GET api/v1/payments that we use (docs/ping-contract.md §2.4 lists more). */
export interface ListPaymentsFilter {
  /** ISO instant: payments initiated at or after it. */
  fromInitiated?: string;
  provider?: string;
  method?: string;
  paymentOrderId?: string;
  /** Page size. */
  limit?: number;
}

export interface RequestOptions {
  /** Cancels the request (an activity's cancellation signal, typically); combined with the timeout. */
  signal?: AbortSignal;
}

/** GET api/v1/merchants (docs/ping-contract.md §2.6): every page, as listPayments reads them. */
export interface ListMerchantsOptions extends RequestOptions {
  /** Page size (Ping's maximum is unknown; the sandbox allows 200). */
  limit?: number;
  /** Default 20, so a huge tenant cannot stall a call. */
  maxPages?: number;
}

/** Split and settle (docs/ping-contract.md §2.3). */
export interface SettlementStepOptions extends RequestOptions {
  /**
   * Ping then runs the missing earlier steps itself (close, and split before a settle) [INFER].
   * Default false: the order is then refused with 403 unless it is in the state the step expects.
   */
  fastForward?: boolean;
}

export type InitiatePaymentResult = InitiatePaymentResponse & {
  /**
   * Ours, not Ping's: the http(s) page to send the payer to, found under whichever key the provider
   * used (see pisCheckoutUrl.ts), in provider_method_response or else at the top level. Undefined when
   * the response holds none (e.g. Swish e-commerce); the payment exists at Ping either way, so this is
   * left to the caller rather than thrown.
   */
  checkoutUrl: string | undefined;
};

export interface PingClient {
  createPaymentOrder(body: CreatePaymentOrderInput, options?: RequestOptions): Promise<CreatedResponse>;
  getPaymentOrder(paymentOrderId: string, options?: RequestOptions): Promise<PaymentOrderExtended>;
  closePaymentOrder(paymentOrderId: string, options?: RequestOptions): Promise<void>;
  splitPaymentOrder(paymentOrderId: string, options?: SettlementStepOptions): Promise<void>;
  settlePaymentOrder(paymentOrderId: string, options?: SettlementStepOptions): Promise<void>;
  /** The order's shares once it is split (a 403 before); a bare array, not a page. */
  getPaymentOrderAllocations(paymentOrderId: string, options?: RequestOptions): Promise<PaymentOrderAllocation[]>;
  initiatePayment(paymentOrderId: string, body: InitiatePaymentInput, options?: RequestOptions): Promise<InitiatePaymentResult>;
  getPayment(paymentOrderId: string, paymentId: string, options?: RequestOptions): Promise<Payment>;
  stopPayment(paymentOrderId: string, paymentId: string, options?: RequestOptions): Promise<void>;
  /** A full refund (docs/ping-contract.md §8.13). Not idempotent at Ping: a caller that repeats it must read the payment first. */
  refundPayment(paymentOrderId: string, paymentId: string, body: RefundPaymentInput, options?: RequestOptions): Promise<RefundResponse>;
  /** GET api/v1/payments, every page (up to `maxPages`, default 20, so a huge tenant cannot stall a call). */
  listPayments(filter: ListPaymentsFilter, options?: RequestOptions & { maxPages?: number }): Promise<Payment[]>;
  pingPayments(options?: RequestOptions): Promise<'pong'>;

  /** The new merchant is CREATED at Ping until its KYC decision; read it (or wait for the merchant callback) for APPROVED. */
  createMerchant(body: CreateMerchantInput, options?: RequestOptions): Promise<CreatedResponse>;
  getMerchant(merchantId: string, options?: RequestOptions): Promise<Merchant>;
  listMerchants(options?: ListMerchantsOptions): Promise<Merchant[]>;
  getTenant(options?: RequestOptions): Promise<Tenant>;
  /** Replaces all three callback URLs (docs/ping-contract.md §2.8): pass back the ones you keep. */
  updateTenant(body: UpdateTenantInput, options?: RequestOptions): Promise<void>;

  createPaymentLink(body: CreatePaymentLinkInput, options?: RequestOptions): Promise<CreatePaymentLinkResponse>;
  getPaymentLink(paymentLinkId: string, options?: RequestOptions): Promise<PaymentLink>;
  listPaymentLinks(options?: RequestOptions): Promise<PaymentLink[]>;
  cancelPaymentLink(paymentLinkId: string, options?: RequestOptions): Promise<void>;
  distributePaymentLink(paymentLinkId: string, body: DistributePaymentLinkInput, options?: RequestOptions): Promise<void>;
  createPaymentLinkInvoice(paymentLinkId: string, body: CreatePaymentLinkInvoiceInput, options?: RequestOptions): Promise<void>;
  getPaymentLinkInvoice(paymentLinkId: string, options?: RequestOptions): Promise<PaymentLinkInvoice>;
  getPaymentLinkReceipt(paymentLinkId: string, options?: RequestOptions): Promise<PaymentLinkReceipt>;
  pingPaymentLinks(options?: RequestOptions): Promise<'pong'>;

  /** Closes the connection pool the client created (not a dispatcher passed in). */
  close(): Promise<void>;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

/** One endpoint call before its method and status are chosen. */
type Target = Pick<Exchange, 'endpoint' | 'baseUrl' | 'path' | 'signal'>;

function baseUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`createPingClient: ${name} is not a URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`createPingClient: ${name} must be http(s)`);
  // Without the slash, `new URL('api/v1/…', base)` would drop the base's last segment (`/payments`).
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

/** Validates before anything is sent; the output (defaults applied, unknown keys dropped) is the body. */
function validRequest<S extends z.ZodType>(endpoint: string, schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalidRequestError(endpoint, describeIssues(parsed.error.issues, input));
  return parsed.data;
}

/** Ids go into the path: only a Guid can, so nothing like `../` ever reaches the URL. */
function idSegment(endpoint: string, name: string, value: string): string {
  if (!pingId.safeParse(value).success) throw invalidRequestError(endpoint, `${name}: must be a Ping id (a Guid)`);
  return value;
}

export function createPingClient(options: PingClientOptions): PingClient {
  const paymentsBase = baseUrl('paymentsApiUrl', options.paymentsApiUrl);
  const linksBase = baseUrl('paymentLinksApiUrl', options.paymentLinksApiUrl);
  if (!options.tenantId) throw new TypeError('createPingClient: tenantId is required');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new TypeError('createPingClient: timeoutMs must be positive');

  // One keep-alive Agent per client (undici keeps connections alive by default): both APIs usually share
  // a host, so their calls reuse the same TLS connections instead of a handshake per request.
  const dispatcher = options.dispatcher ?? new Agent();
  const ownsDispatcher = options.dispatcher === undefined;
  let closing: Promise<void> | undefined;
  const transport = createTransport({ tenantId: options.tenantId, apiSecret: options.apiSecret, timeoutMs, dispatcher, observer: options.observer });

  function readJson<S extends z.ZodType>(call: Exchange, schema: S): Promise<z.output<S>> {
    return transport.exchange(call, (result) => parseJson(call, result, schema));
  }

  function parseJson<S extends z.ZodType>(call: Exchange, { status, text }: ExchangeResult, schema: S): z.output<S> {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw invalidResponseError(call.endpoint, status, `body is not JSON (${text.length} bytes)`, err);
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw invalidResponseError(call.endpoint, status, describeIssues(parsed.error.issues, data), parsed.error);
    return parsed.data;
  }

  // Ping's three kinds of exchange (docs/ping-contract.md §0): reads and creates answer 200 with JSON, mutations 204.
  function read<S extends z.ZodType>(target: Target, schema: S): Promise<z.output<S>> {
    return readJson({ ...target, method: 'GET', expectedStatus: 200 }, schema);
  }

  function create<S extends z.ZodType>(target: Target, body: unknown, schema: S): Promise<z.output<S>> {
    return readJson({ ...target, method: 'POST', body, expectedStatus: 200 }, schema);
  }

  /** Ping's mutations are PUTs with a JSON body (`{}` when there is nothing to say) answering 204. */
  async function mutate(target: Target, body: unknown = {}): Promise<void> {
    await transport.exchange({ ...target, method: 'PUT', body, expectedStatus: 204 }, () => undefined);
  }

  /** Plain-text `pong`, not JSON (docs/ping-contract.md §1.3); a quoted one is read the same, to be forgiving. */
  function ping(endpoint: string, baseUrl: string, signal?: AbortSignal): Promise<'pong'> {
    return transport.exchange({ endpoint, baseUrl, method: 'GET', path: 'api/v1/ping', expectedStatus: 200, signal }, ({ status, text }) => {
      const word = text.trim().replace(/^"(.*)"$/, '$1');
      if (word !== 'pong') throw invalidResponseError(endpoint, status, `expected "pong", got ${JSON.stringify(text.slice(0, 100))}`);
      return 'pong' as const;
    });
  }

  /**
   * A `{data, _links}` list, page after page along `_links.next.href` (docs/ping-contract.md §2.2).
   * Only a next page on the same API is followed: our secret goes with every call, so an href
   * elsewhere is not.
   */
  async function allPages<T>(
    firstPath: string,
    readPage: (path: string) => Promise<{ data: T[]; _links?: { next?: { href: string } | null } | null }>,
    maxPages: number,
  ): Promise<T[]> {
    let path: string | undefined = firstPath;
    const found: T[] = [];
    for (let page = 0; path && page < maxPages; page++) {
      const pageOf = await readPage(path);
      found.push(...pageOf.data);
      const next = pageOf._links?.next?.href;
      path = next && next.startsWith(paymentsBase) ? next.slice(paymentsBase.length) : undefined;
    }
    return found;
  }

  const payments = (endpoint: string, path: string, signal?: AbortSignal): Target => ({
    endpoint,
    baseUrl: paymentsBase,
    path: `api/v1/${path}`,
    signal,
  });
  const links = (endpoint: string, path: string, signal?: AbortSignal): Target => ({ endpoint, baseUrl: linksBase, path: `api/v1/${path}`, signal });

  return {
    async createPaymentOrder(body, { signal } = {}) {
      const endpoint = 'createPaymentOrder';
      const payload = validRequest(endpoint, createPaymentOrderRequestSchema, body);
      return create(payments(endpoint, 'payment_orders', signal), payload, createdResponseSchema);
    },

    async getPaymentOrder(paymentOrderId, { signal } = {}) {
      const endpoint = 'getPaymentOrder';
      const orderId = idSegment(endpoint, 'paymentOrderId', paymentOrderId);
      return read(payments(endpoint, `payment_orders/${orderId}`, signal), paymentOrderExtendedSchema);
    },

    async closePaymentOrder(paymentOrderId, { signal } = {}) {
      const endpoint = 'closePaymentOrder';
      const orderId = idSegment(endpoint, 'paymentOrderId', paymentOrderId);
      await mutate(payments(endpoint, `payment_orders/${orderId}/close`, signal));
    },

    async splitPaymentOrder(paymentOrderId, { signal, fastForward } = {}) {
      const endpoint = 'splitPaymentOrder';
      const orderId = idSegment(endpoint, 'paymentOrderId', paymentOrderId);
      const payload = validRequest(endpoint, fastForwardRequestSchema, { fast_forward: fastForward });
      await mutate(payments(endpoint, `payment_orders/${orderId}/split`, signal), payload);
    },

    async settlePaymentOrder(paymentOrderId, { signal, fastForward } = {}) {
      const endpoint = 'settlePaymentOrder';
      const orderId = idSegment(endpoint, 'paymentOrderId', paymentOrderId);
      const payload = validRequest(endpoint, fastForwardRequestSchema, { fast_forward: fastForward });
      await mutate(payments(endpoint, `payment_orders/${orderId}/settle`, signal), payload);
    },

    async getPaymentOrderAllocations(paymentOrderId, { signal } = {}) {
      const endpoint = 'getPaymentOrderAllocations';
      const orderId = idSegment(endpoint, 'paymentOrderId', paymentOrderId);
      return read(payments(endpoint, `payment_orders/${orderId}/allocations`, signal), allocationListSchema);
    },

    async initiatePayment(paymentOrderId, body, { signal } = {}) {
      const endpoint = 'initiatePayment';
      const orderId = idSegment(endpoint, 'paymentOrderId', paymentOrderId);
      const payload = validRequest(endpoint, initiatePaymentRequestSchema, body);
      const response = await create(payments(endpoint, `payment_orders/${orderId}/payments`, signal), payload, initiatePaymentResponseSchema);
      // Ping places provider output in provider_method_response (docs/ping-contract.md §2.4); the top
      // level is a fallback because for PIS nothing is confirmed, and a URL found there cannot mean
      // anything else.
      return { ...response, checkoutUrl: checkoutUrlFrom(response.provider_method_response) ?? checkoutUrlFrom(response) };
    },

    async getPayment(paymentOrderId, paymentId, { signal } = {}) {
      const endpoint = 'getPayment';
      const orderId = idSegment(endpoint, 'paymentOrderId', paymentOrderId);
      const id = idSegment(endpoint, 'paymentId', paymentId);
      return read(payments(endpoint, `payment_orders/${orderId}/payments/${id}`, signal), paymentSchema);
    },

    async stopPayment(paymentOrderId, paymentId, { signal } = {}) {
      const endpoint = 'stopPayment';
      const orderId = idSegment(endpoint, 'paymentOrderId', paymentOrderId);
      const id = idSegment(endpoint, 'paymentId', paymentId);
      await mutate(payments(endpoint, `payment_orders/${orderId}/payments/${id}/stop`, signal));
    },

    /** A POST answering 200 with a body, unlike the other mutations (docs/ping-contract.md §8.2). */
    async refundPayment(paymentOrderId, paymentId, body, { signal } = {}) {
      const endpoint = 'refundPayment';
      const orderId = idSegment(endpoint, 'paymentOrderId', paymentOrderId);
      const id = idSegment(endpoint, 'paymentId', paymentId);
      const payload = validRequest(endpoint, refundRequestSchema, body);
      return create(payments(endpoint, `payment_orders/${orderId}/payments/${id}/refund`, signal), payload, refundResponseSchema);
    },

    pingPayments: ({ signal } = {}) => ping('pingPayments', paymentsBase, signal),

    async listPayments(filter, { signal, maxPages = 20 } = {}) {
      const endpoint = 'listPayments';
      const query = new URLSearchParams();
      if (filter.fromInitiated) query.set('from_initiated_date_time', filter.fromInitiated);
      if (filter.provider) query.set('provider', filter.provider);
      if (filter.method) query.set('method', filter.method);
      if (filter.paymentOrderId) query.set('payment_order_id', filter.paymentOrderId);
      if (filter.limit) query.set('limit', String(filter.limit));
      const first = `api/v1/payments${query.size > 0 ? `?${query}` : ''}`;
      return allPages<Payment>(first, (path) => read({ endpoint, baseUrl: paymentsBase, path, signal }, paymentPageSchema), maxPages);
    },

    async createMerchant(body, { signal } = {}) {
      const endpoint = 'createMerchant';
      const payload = validRequest(endpoint, createMerchantRequestSchema, body);
      return create(payments(endpoint, 'merchants', signal), payload, createdResponseSchema);
    },

    async getMerchant(merchantId, { signal } = {}) {
      const endpoint = 'getMerchant';
      const id = idSegment(endpoint, 'merchantId', merchantId);
      return read(payments(endpoint, `merchants/${id}`, signal), merchantSchema);
    },

    async listMerchants({ signal, limit, maxPages = 20 } = {}) {
      const endpoint = 'listMerchants';
      if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw invalidRequestError(endpoint, 'limit: must be a positive whole number');
      const first = `api/v1/merchants${limit !== undefined ? `?limit=${limit}` : ''}`;
      return allPages<Merchant>(first, (path) => read({ endpoint, baseUrl: paymentsBase, path, signal }, merchantPageSchema), maxPages);
    },

    async getTenant({ signal } = {}) {
      return read(payments('getTenant', 'tenant', signal), tenantSchema);
    },

    async updateTenant(body, { signal } = {}) {
      const endpoint = 'updateTenant';
      const payload = validRequest(endpoint, updateTenantRequestSchema, body);
      await mutate(payments(endpoint, 'tenant', signal), payload);
    },

    async createPaymentLink(body, { signal } = {}) {
      const endpoint = 'createPaymentLink';
      const payload = validRequest(endpoint, createPaymentLinkRequestSchema, body);
      return create(links(endpoint, 'payment_links', signal), payload, createPaymentLinkResponseSchema);
    },

    async getPaymentLink(paymentLinkId, { signal } = {}) {
      const endpoint = 'getPaymentLink';
      const id = idSegment(endpoint, 'paymentLinkId', paymentLinkId);
      return read(links(endpoint, `payment_links/${id}`, signal), paymentLinkSchema);
    },

    async listPaymentLinks({ signal } = {}) {
      return read(links('listPaymentLinks', 'payment_links', signal), paymentLinkListSchema);
    },

    async cancelPaymentLink(paymentLinkId, { signal } = {}) {
      const endpoint = 'cancelPaymentLink';
      const id = idSegment(endpoint, 'paymentLinkId', paymentLinkId);
      await mutate(links(endpoint, `payment_links/${id}/cancel`, signal));
    },

    async distributePaymentLink(paymentLinkId, body, { signal } = {}) {
      const endpoint = 'distributePaymentLink';
      const id = idSegment(endpoint, 'paymentLinkId', paymentLinkId);
      const payload = validRequest(endpoint, distributePaymentLinkRequestSchema, body);
      await mutate(links(endpoint, `payment_links/${id}/distribute`, signal), payload);
    },

    /** A PUT answering 204, not a POST: the invoice is then read with getPaymentLinkInvoice. */
    async createPaymentLinkInvoice(paymentLinkId, body, { signal } = {}) {
      const endpoint = 'createPaymentLinkInvoice';
      const id = idSegment(endpoint, 'paymentLinkId', paymentLinkId);
      const payload = validRequest(endpoint, createPaymentLinkInvoiceRequestSchema, body);
      await mutate(links(endpoint, `payment_links/${id}/invoice`, signal), payload);
    },

    async getPaymentLinkInvoice(paymentLinkId, { signal } = {}) {
      const endpoint = 'getPaymentLinkInvoice';
      const id = idSegment(endpoint, 'paymentLinkId', paymentLinkId);
      return read(links(endpoint, `payment_links/${id}/invoice`, signal), paymentLinkInvoiceSchema);
    },

    async getPaymentLinkReceipt(paymentLinkId, { signal } = {}) {
      const endpoint = 'getPaymentLinkReceipt';
      const id = idSegment(endpoint, 'paymentLinkId', paymentLinkId);
      return read(links(endpoint, `payment_links/${id}/receipt`, signal), paymentLinkReceiptSchema);
    },

    pingPaymentLinks: ({ signal } = {}) => ping('pingPaymentLinks', linksBase, signal),

    /** Idempotent: a shutdown path and a test's cleanup may both call it. */
    async close() {
      if (!ownsDispatcher) return;
      closing ??= dispatcher.close();
      await closing;
    },
  };
}
