import net from 'node:net';
import { createTransport } from 'nodemailer';
import { startInbox, type InboxMessage, type RunningInbox } from '../helpers/inbox';

/** The dev inbox end to end: real SMTP in (nodemailer), real HTTP out (fetch). */

let inbox: RunningInbox;
let transport: ReturnType<typeof createTransport>;

beforeAll(async () => {
  inbox = await startInbox();
  transport = createTransport({ url: inbox.smtpUrl, pool: true, maxConnections: 5 });
});

afterAll(async () => {
  transport?.close();
  await inbox?.stop();
});

async function getJson<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${inbox.inboxUrl}${path}`);
  return { status: res.status, body: (await res.json()) as T };
}

const PDF_BYTES = Buffer.from('%PDF-1.4\n% not a real document, but bytes to compare\n%%EOF\n', 'latin1');

describe('dev inbox', () => {
  it('answers /healthz', async () => {
    const res = await getJson<{ status: string }>('/healthz');
    expect(res).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('stores a message with its parts and serves it as JSON, by id and its attachment bytes', async () => {
    const info = await transport.sendMail({
      from: 'Shop <shop@example.com>',
      to: 'Bertil <bertil@example.com>',
      bcc: 'audit@example.com',
      subject: 'Kvitto från Smörgåsbaren',
      text: 'Tack för köpet',
      html: '<p>Tack för köpet</p>',
      messageId: '<m1@test>',
      headers: { 'X-Test': 'yes' },
      attachments: [{ filename: 'kvitto.pdf', content: PDF_BYTES, contentType: 'application/pdf' }],
    });
    expect(info.accepted).toEqual(['bertil@example.com', 'audit@example.com']);

    const list = await getJson<InboxMessage[]>('/messages?subject=Smörgåsbaren');
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(1);
    const message = list.body[0];
    expect(message).toMatchObject({
      message_id: '<m1@test>',
      from: 'Shop <shop@example.com>',
      to: ['bertil@example.com', 'audit@example.com'],
      subject: 'Kvitto från Smörgåsbaren',
      attachments: [{ filename: 'kvitto.pdf', content_type: 'application/pdf', size: PDF_BYTES.length }],
    });
    expect(message.text.trim()).toBe('Tack för köpet');
    expect(message.html.trim()).toBe('<p>Tack för köpet</p>');
    expect(message.headers['x-test']).toBe('yes');
    expect(message.headers.subject).toBe('Kvitto från Smörgåsbaren');
    expect(new Date(message.received_at).toISOString()).toBe(message.received_at);

    const byId = await getJson<InboxMessage>(`/messages/${message.id}`);
    expect(byId).toEqual({ status: 200, body: message });

    const attachment = await fetch(`${inbox.inboxUrl}/messages/${message.id}/attachments/0`);
    expect(attachment.status).toBe(200);
    expect(attachment.headers.get('content-type')).toBe('application/pdf');
    expect(attachment.headers.get('content-disposition')).toContain('filename="kvitto.pdf"');
    expect(Buffer.from(await attachment.arrayBuffer()).equals(PDF_BYTES)).toBe(true);

    const raw = await fetch(`${inbox.inboxUrl}/messages/${message.id}/raw`);
    expect(raw.status).toBe(200);
    expect(await raw.text()).toMatch(/^Message-ID: <m1@test>\r$/im);
  });

  it('answers 404 for an unknown message or attachment', async () => {
    await transport.sendMail({ from: 'shop@example.com', to: 'x@example.com', subject: 'no attachments', text: 'x' });
    const [message] = await inbox.waitForMessages((m) => m.subject === 'no attachments');
    expect((await getJson<{ error: string }>('/messages/does-not-exist')).status).toBe(404);
    expect((await fetch(`${inbox.inboxUrl}/messages/${message.id}/attachments/0`)).status).toBe(404);
    expect((await fetch(`${inbox.inboxUrl}/messages/${message.id}/attachments/x`)).status).toBe(404);
    expect((await fetch(`${inbox.inboxUrl}/nowhere`)).status).toBe(404);
  });

  it('filters by recipient (whole address, any case) and subject substring, newest last', async () => {
    for (const [to, subject] of [
      ['anna@filter.example', 'Filter one'],
      ['bo@filter.example', 'Filter two'],
      ['anna@filter.example', 'Filter three'],
    ]) {
      await transport.sendMail({ from: 'shop@example.com', to, subject, text: subject });
    }
    const anna = await getJson<InboxMessage[]>(`/messages?to=${encodeURIComponent('ANNA@filter.example')}`);
    expect(anna.body.map((m) => m.subject)).toEqual(['Filter one', 'Filter three']);
    // A substring of an address is not that address.
    expect((await getJson<InboxMessage[]>('/messages?to=anna@filter')).body).toEqual([]);
    const two = await getJson<InboxMessage[]>('/messages?subject=filter%20TWO');
    expect(two.body.map((m) => m.to)).toEqual([['bo@filter.example']]);
    const all = (await getJson<InboxMessage[]>('/messages?subject=Filter')).body.map((m) => m.subject);
    expect(all).toEqual(['Filter one', 'Filter two', 'Filter three']);
  });

  it('escapes what senders wrote on the HTML page for a person', async () => {
    await transport.sendMail({ from: 'evil@example.com', to: 'victim@example.com', subject: '<script>alert(1)</script> & more', text: '<img src=x onerror=alert(2)>' });
    await inbox.waitForMessages((m) => m.subject.startsWith('<script>'));
    const res = await fetch(`${inbox.inboxUrl}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const page = await res.text();
    expect(page).toContain('&#60;script&#62;alert(1)&#60;/script&#62; &#38; more');
    expect(page).toContain('&#60;img src=x onerror=alert(2)&#62;');
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<img');
  });

  it('refuses recipients under the reserved .invalid domain with a permanent 550', async () => {
    await expect(transport.sendMail({ from: 'shop@example.com', to: 'someone@nowhere.invalid', subject: 'never stored', text: 'x' })).rejects.toMatchObject({
      code: 'EENVELOPE',
      responseCode: 550,
    });
    expect(inbox.messages().some((m) => m.subject === 'never stored')).toBe(false);
  });

  it('stores every one of many concurrent deliveries from several connections', async () => {
    const subjects = Array.from({ length: 30 }, (_, i) => `concurrent ${i}`);
    // Half through the pool (5 connections), half on a connection each.
    const results = await Promise.all(
      subjects.map((subject, i) => {
        const message = { from: 'shop@example.com', to: `c${i}@concurrent.example`, subject, text: `body ${i}`, attachments: [{ filename: `${i}.txt`, content: `attachment ${i}` }] };
        if (i % 2 === 0) return transport.sendMail(message);
        const single = createTransport({ url: inbox.smtpUrl });
        return single.sendMail(message).finally(() => single.close());
      }),
    );
    expect(results.every((r) => r.rejected.length === 0)).toBe(true);
    const stored = (await getJson<InboxMessage[]>('/messages?subject=concurrent')).body;
    expect(stored).toHaveLength(30);
    expect(new Set(stored.map((m) => m.id)).size).toBe(30);
    for (const m of stored) {
      const i = Number(m.subject.split(' ')[1]);
      // Each message kept its own body, recipient and attachment: no crossed sessions.
      expect(m.text.trim()).toBe(`body ${i}`);
      expect(m.to).toEqual([`c${i}@concurrent.example`]);
      expect(m.attachments).toEqual([{ filename: `${i}.txt`, content_type: 'text/plain', size: `attachment ${i}`.length }]);
    }
  });

  it('clears all messages with DELETE /messages', async () => {
    expect(inbox.messages().length).toBeGreaterThan(0);
    const res = await fetch(`${inbox.inboxUrl}/messages`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect((await getJson<InboxMessage[]>('/messages')).body).toEqual([]);
    expect(inbox.messages()).toEqual([]);
  });
});

describe('dev inbox limits and lifecycle', () => {
  it('keeps only the newest maxMessages and refuses a message over the size limit', async () => {
    const small = await startInbox({ maxMessages: 3, maxMessageBytes: 20_000 });
    const sender = createTransport({ url: small.smtpUrl });
    try {
      for (let i = 1; i <= 5; i++) await sender.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: `n${i}`, text: 'x' });
      expect(small.messages().map((m) => m.subject)).toEqual(['n3', 'n4', 'n5']);
      await expect(sender.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'big', text: 'x'.repeat(50_000) })).rejects.toMatchObject({ responseCode: 552 });
      expect(small.messages().map((m) => m.subject)).toEqual(['n3', 'n4', 'n5']);
    } finally {
      sender.close();
      await small.stop();
    }
  });

  it('frees both ports on stop()', async () => {
    const other = await startInbox();
    const smtpPort = Number(new URL(other.smtpUrl).port);
    await other.stop();
    await expect(fetch(`${other.inboxUrl}/healthz`)).rejects.toThrow();
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(smtpPort, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});
