import { ApplicationFailure } from '@temporalio/common';

/** What every payer e-mail carries: whose payment, how much, when, from whom. */
export interface MailBasics {
  paymentId: string;
  merchantName: string;
  amountMinor: number;
  currency: string;
}

/**
 * The checks the receipt and the refund e-mail share. A malformed input fails the same way on every
 * attempt, so it is non-retryable (of `failureType`): retrying would only delay the workflow.
 */
export function checkMailBasics(input: MailBasics, at: { name: string; value: string }, failureType: string): (message: string) => ApplicationFailure {
  const invalid = (message: string) => ApplicationFailure.nonRetryable(message, failureType);
  if (typeof input.paymentId !== 'string' || input.paymentId.trim() === '' || input.paymentId.length > 200) {
    throw invalid('paymentId must be a non-empty string of at most 200 characters');
  }
  if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor < 0) throw invalid('amountMinor must be a non-negative integer');
  if (!/^[A-Z]{3}$/.test(input.currency)) throw invalid(`currency must be an ISO 4217 code, got ${JSON.stringify(input.currency)}`);
  if (Number.isNaN(Date.parse(at.value))) throw invalid(`${at.name} must be an ISO 8601 time, got ${JSON.stringify(at.value)}`);
  if (typeof input.merchantName !== 'string' || input.merchantName.trim() === '') throw invalid('merchantName must not be empty');
  return invalid;
}
