import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import type { PaymentResource } from '../domain/payment';
import { readPayment } from './payments';

/**
 * Reads the payment until `done` holds or `withinMs` has passed, and answers the last read either
 * way. The refund and settle updates answer as soon as the workflow accepts them (a handler waiting
 * on a timer is not safe across worker restarts, see workflows/messageHandlers.ts), so the API waits
 * here for Ping's answer instead. One read at a time: a closed workflow answers each by a replay.
 */
export async function readPaymentUntil(client: Client, id: string, done: (payment: PaymentResource) => boolean, withinMs: number, first?: PaymentResource): Promise<PaymentResource> {
  const deadline = Date.now() + withinMs;
  let payment = first ?? (await readPayment(client, id));
  let pauseMs = 50;
  while (!done(payment) && Date.now() + pauseMs < deadline) {
    await sleep(pauseMs);
    pauseMs = Math.min(pauseMs * 1.5, 400);
    payment = await readPayment(client, id);
  }
  return payment;
}
