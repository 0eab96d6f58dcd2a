import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createPingClient } from '../ping';

/**
 * What a backend would write without us: one express endpoint that creates the order and the link at
 * Ping (the sandbox) and answers with the checkout URL. Same client, same undici settings, no Temporal.
 */
export async function startBaseline(options: { sandboxUrl: string; tenantId: string }): Promise<{ url: string; stop(): Promise<void> }> {
  const ping = createPingClient({ paymentsApiUrl: `${options.sandboxUrl}/payments/`, paymentLinksApiUrl: `${options.sandboxUrl}/payment_links/`, tenantId: options.tenantId });
  const app = express();
  app.use(express.json());
  app.post('/checkout', async (req, res) => {
    const { items, customer, supplier } = req.body as { items: Array<{ description: string; merchant_id: string; price: number; quantity: number; vat: number }>; customer: { first_name: string; last_name: string }; supplier: { name: string } };
    const order = await ping.createPaymentOrder({ currency: 'SEK' });
    const link = await ping.createPaymentLink({
      payment_order_id: order.id,
      currency: 'SEK',
      total_amount: items.reduce((sum, i) => sum + i.price * i.quantity, 0),
      locale: 'sv-SE',
      items,
      customer,
      supplier,
      payment_provider_methods: [{ provider: 'payment_iq', method: 'card' }],
    });
    res.status(201).json({ checkout_url: link.checkout_url });
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await ping.close();
    },
  };
}
