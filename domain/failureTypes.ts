/**
 * ApplicationFailure types, defined once: activities throw the Ping ones and workflows branch on them;
 * workflows refuse requests with the others (the `created` update's validator, the answers to their
 * signals) and the API maps them to HTTP answers.
 */
export const PING_REJECTED = 'PingRejected';
export const PING_UNAVAILABLE = 'PingUnavailable';
export const IDEMPOTENCY_KEY_REUSED = 'IdempotencyKeyReused';
export const PAYMENT_FINAL = 'PaymentFinal';
/** A refund or a settlement of a payment that was never paid (or has not been paid yet). */
export const PAYMENT_NOT_PAID = 'PaymentNotPaid';
/** A refund once the payment's settlement at Ping has begun. */
export const PAYMENT_SETTLED = 'PaymentSettled';
/** A new refund (another Idempotency-Key) of a payment already refunded or being refunded. */
export const ALREADY_REFUNDED = 'AlreadyRefunded';
/** A settlement of a refunded payment. */
export const PAYMENT_REFUNDED = 'PaymentRefunded';
