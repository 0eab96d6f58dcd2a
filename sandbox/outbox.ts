import { randomUUID } from 'node:crypto';

/** An SMS or e-mail the sandbox "sent" for `distribute`; nothing leaves the machine. */
export interface OutboxMessage {
  id: string;
  channel: 'sms' | 'email';
  tenant_id: string;
  payment_link_id: string;
  to: string;
  subject: string | null;
  body: string;
  checkout_url: string;
  sent_at: string;
}

export class Outbox {
  private messages: OutboxMessage[] = [];

  add(message: Omit<OutboxMessage, 'id'>): OutboxMessage {
    const stored = { id: randomUUID(), ...message };
    this.messages.push(stored);
    return stored;
  }

  list(filter: { payment_link_id?: string; channel?: string; tenant_id?: string } = {}): OutboxMessage[] {
    return this.messages.filter(
      (m) =>
        (!filter.payment_link_id || m.payment_link_id === filter.payment_link_id) &&
        (!filter.channel || m.channel === filter.channel) &&
        (!filter.tenant_id || m.tenant_id === filter.tenant_id),
    );
  }

  reset(): void {
    this.messages = [];
  }
}
