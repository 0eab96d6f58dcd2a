import type { Client } from '@temporalio/client';
import type { PaymentResource } from '../domain/payment';
import { readPayment } from './payments';
import { readUntil } from '../common/readUntil';

/** Reads the payment until `done` holds or `withinMs` has passed (common/readUntil.ts), answering the last read either way. */
export function readPaymentUntil(client: Client, id: string, done: (payment: PaymentResource) => boolean, withinMs: number, first?: PaymentResource): Promise<PaymentResource> {
  return readUntil(() => readPayment(client, id), done, withinMs, first);
}
