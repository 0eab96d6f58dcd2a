import { randomUUID } from 'node:crypto';
import type { PaymentsStack } from './paymentsStack';

/** A merchant of the payments stack with its own key, approved by the sandbox: what a seller signs in to the payee app with. */
export interface PayeeAppMerchant {
  id: string;
  keyId: string;
  key: string;
  pingMerchantId: string;
}

/** Checks the helper's own assumptions loudly: a failure here is the stack's, not the test's subject. */
function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(what);
}

/**
 * Creates a merchant through the API (as a platform does), waits for the sandbox to approve it, and
 * makes it a key. Its settings are those of a market stall: a supplier, a Swedish locale and card
 * payments, unless the test says otherwise.
 */
export async function approvedMerchant(
  stack: PaymentsStack,
  { name, orgNumber, paymentMethods = [{ provider: 'payment_iq', method: 'card' }], extra = {} }: { name: string; orgNumber: string; paymentMethods?: unknown[] | null; extra?: Record<string, unknown> },
): Promise<PayeeAppMerchant> {
  const created = await stack.call(
    'POST',
    '/v1/merchants',
    {
      name,
      organization: { country: 'SE', se_organization_number: orgNumber },
      display_name: name,
      supplier: { name, city: 'Örebro' },
      locale: 'sv-SE',
      ...(paymentMethods ? { payment_methods: paymentMethods } : {}),
      ...extra,
    },
    { 'Idempotency-Key': `payee-app-${randomUUID()}` },
  );
  check(created.status === 201, `merchant create answered ${created.status}: ${JSON.stringify(created.body)}`);
  const id = created.body.id as string;
  const key = await stack.call('POST', `/v1/merchants/${id}/api-keys`, {});
  check(key.status === 201, `key create answered ${key.status}`);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const read = await stack.call('GET', `/v1/merchants/${id}`);
    if (read.body.status === 'approved') return { id, keyId: key.body.id, key: key.body.secret, pingMerchantId: read.body.ping_merchant_id };
    check(Date.now() < deadline, `merchant ${id} not approved: ${JSON.stringify(read.body)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A call to the API with a merchant's own key. */
export function asMerchant(stack: PaymentsStack, merchant: PayeeAppMerchant) {
  return (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => stack.call(method, path, body, { authorization: `Bearer ${merchant.key}`, ...headers });
}
