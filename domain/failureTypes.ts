/**
 * ApplicationFailure types, defined once: activities throw the Ping ones and workflows branch on them;
 * workflows throw the others from update validators and the API maps them to HTTP answers.
 */
export const PING_REJECTED = 'PingRejected';
export const PING_UNAVAILABLE = 'PingUnavailable';
export const IDEMPOTENCY_KEY_REUSED = 'IdempotencyKeyReused';
export const PAYMENT_FINAL = 'PaymentFinal';
