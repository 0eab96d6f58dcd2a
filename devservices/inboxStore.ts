import { randomUUID } from 'node:crypto';
import PostalMime from 'postal-mime';

/** One received e-mail as the inbox's HTTP API shows it (snake_case, like every other JSON we serve). */
export interface InboxMessage {
  id: string;
  /** The Message-ID header, angle brackets included; null when the sender set none. */
  message_id: string | null;
  from: string;
  /** The envelope recipients (RCPT TO), so Bcc recipients are found too. */
  to: string[];
  subject: string;
  text: string;
  html: string;
  attachments: InboxAttachment[];
  /** Lower-case header names; repeated headers (Received) are joined with ", ". */
  headers: Record<string, string>;
  received_at: string;
}

export interface InboxAttachment {
  filename: string;
  content_type: string;
  size: number;
}

/** What the store keeps besides the JSON view: the bytes the HTTP API serves on request. */
export interface StoredMessage {
  message: InboxMessage;
  raw: Buffer;
  attachmentContents: Uint8Array[];
}

export interface Envelope {
  mailFrom: string;
  rcptTo: string[];
}

function formatAddress(address: PostalMime.Address | undefined): string | undefined {
  if (!address) return undefined;
  if (address.group) return address.group.map((m) => (m.name ? `${m.name} <${m.address}>` : m.address)).join(', ');
  return address.name ? `${address.name} <${address.address}>` : address.address;
}

function toBytes(content: ArrayBuffer | Uint8Array | string): Uint8Array {
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  return content instanceof Uint8Array ? content : new Uint8Array(content);
}

/** Parses one message as it came over SMTP. */
export async function parseMessage(raw: Buffer, envelope: Envelope, receivedAt: Date): Promise<StoredMessage> {
  const email = await PostalMime.parse(raw, { attachmentEncoding: 'arraybuffer' });
  const headers: Record<string, string> = {};
  for (const { key, value } of email.headers) {
    // Encoded words (=?UTF-8?Q?...?=) are unreadable for the person the API is for.
    const decoded = PostalMime.decodeWords(value);
    headers[key] = key in headers ? `${headers[key]}, ${decoded}` : decoded;
  }
  const attachmentContents = email.attachments.map((a) => toBytes(a.content));
  return {
    raw,
    attachmentContents,
    message: {
      id: randomUUID(),
      message_id: email.messageId ?? null,
      from: formatAddress(email.from) ?? envelope.mailFrom,
      to: envelope.rcptTo,
      subject: email.subject ?? '',
      text: email.text ?? '',
      html: email.html ?? '',
      attachments: email.attachments.map((a, index) => ({
        filename: a.filename ?? `attachment-${index + 1}`,
        content_type: a.mimeType,
        size: attachmentContents[index].byteLength,
      })),
      headers,
      received_at: receivedAt.toISOString(),
    },
  };
}

export interface MessageFilter {
  /** A recipient address, matched whole and case-insensitively. */
  to?: string;
  /** A case-insensitive substring of the subject. */
  subject?: string;
}

/**
 * Messages in arrival order, the oldest dropped past `maxMessages`: a dev inbox left running for
 * days must not grow without bound. Every change is one synchronous step, so concurrent SMTP
 * sessions (each parsing on its own) can never interleave half an update.
 */
export class InboxStore {
  private items: StoredMessage[] = [];

  constructor(private readonly maxMessages: number) {}

  add(stored: StoredMessage): void {
    this.items.push(stored);
    if (this.items.length > this.maxMessages) this.items.splice(0, this.items.length - this.maxMessages);
  }

  list(filter: MessageFilter = {}): InboxMessage[] {
    const to = filter.to?.toLowerCase();
    const subject = filter.subject?.toLowerCase();
    return this.items
      .map((s) => s.message)
      .filter((m) => to === undefined || m.to.some((r) => r.toLowerCase() === to))
      .filter((m) => subject === undefined || m.subject.toLowerCase().includes(subject));
  }

  get(id: string): StoredMessage | undefined {
    return this.items.find((s) => s.message.id === id);
  }

  clear(): void {
    this.items = [];
  }
}
