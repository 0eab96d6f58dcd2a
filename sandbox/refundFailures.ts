/**
 * Refusals armed with `POST /_sandbox/payments/:id/fail-refund`: the next `times` refund calls for
 * that payment answer the given error and refund nothing, so a test can make Ping decline a refund
 * (a 4xx) or fail it (a 5xx) without touching any other endpoint.
 */
export interface RefundFailure {
  status: number;
  error: string;
  times: number;
}

export class RefundFailures {
  private readonly armed = new Map<string, RefundFailure>();

  arm(paymentId: string, failure: RefundFailure): void {
    this.armed.set(paymentId, { ...failure });
  }

  /** The failure for this call, if one is armed; each call uses one of its `times`. */
  take(paymentId: string): Omit<RefundFailure, 'times'> | undefined {
    const failure = this.armed.get(paymentId);
    if (!failure) return undefined;
    failure.times -= 1;
    if (failure.times <= 0) this.armed.delete(paymentId);
    return { status: failure.status, error: failure.error };
  }

  /** How many refusals are left for the payment (0 when none is armed). */
  remaining(paymentId: string): number {
    return this.armed.get(paymentId)?.times ?? 0;
  }

  reset(): void {
    this.armed.clear();
  }
}
