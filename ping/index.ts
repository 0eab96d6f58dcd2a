/**
 * The typed Ping Payments client (Payments API + Payment Links API). No Temporal here: activities
 * wrap these calls and turn `PingApiError.retryable` into their retry decision.
 */
export {
  createPingClient,
  DEFAULT_TIMEOUT_MS,
  type InitiatePaymentResult,
  type ListMerchantsOptions,
  type PingClient,
  type PingClientOptions,
  type RequestOptions,
  type SettlementStepOptions,
} from './client';
export { PING_API_VERSION, type PingCallObservation, type PingCallObserver } from './transport';
export { isRetryableStatus, parsePingErrorBody, PingApiError, type PingClientErrorCode, type PingErrorDetail } from './errors';
export { CHECKOUT_URL_KEYS, checkoutUrlFrom } from './pisCheckoutUrl';
export * from './commonSchemas';
export * from './providerMethodSchemas';
export * from './paymentsSchemas';
export * from './paymentLinksSchemas';
export * from './merchantsSchemas';
export * from './callbackSchemas';
