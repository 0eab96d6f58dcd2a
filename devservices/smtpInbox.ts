import type { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerError } from 'smtp-server';
import { createLogger, type Logger } from '../common/logger';
import { createInboxHandler } from './inboxHttp';
import { InboxStore, parseMessage, type InboxMessage } from './inboxStore';

export type { InboxAttachment, InboxMessage } from './inboxStore';

/** An SMTP reply the inbox gives to RCPT TO instead of accepting the recipient. */
export interface SmtpRejection {
  code: number;
  message: string;
}

export interface SmtpInboxOptions {
  /** Interface both servers bind to; loopback by default, since this is a development tool. */
  host?: string;
  /** 0 picks a free port. */
  smtpPort: number;
  /** 0 picks a free port. */
  httpPort: number;
  logger?: Logger;
  /** Older messages are dropped beyond this many (default 500). */
  maxMessages?: number;
  /** Larger messages are refused with 552 (default 25 MB). */
  maxMessageBytes?: number;
  /**
   * Decides per recipient whether to refuse it. The default refuses every address under the reserved
   * `.invalid` top-level domain (RFC 2606) with `550 5.1.1`, so the permanent-failure path of a
   * sender can be exercised by hand and in tests the way a real server would trigger it.
   */
  rejectRecipient?: (address: string) => SmtpRejection | undefined;
}

export interface SmtpInbox {
  /** e.g. smtp://127.0.0.1:1025, what SMTP_URL is set to. */
  smtpUrl: string;
  /** e.g. http://127.0.0.1:8025, where the messages are read. */
  inboxUrl: string;
  /** Everything received so far, oldest first. */
  messages(): InboxMessage[];
  clear(): void;
  stop(): Promise<void>;
}

export function rejectInvalidTld(address: string): SmtpRejection | undefined {
  // Worded as Postfix does, address included: senders must cope with replies that quote it.
  return /\.invalid$/i.test(address) ? { code: 550, message: `5.1.1 <${address}>: Recipient address rejected: no such domain` } : undefined;
}

function smtpError({ code, message }: SmtpRejection): SMTPServerError {
  return Object.assign(new Error(message), { responseCode: code });
}

function urlHost(host: string): string {
  // A wildcard bind is reachable on loopback; an IPv6 literal needs brackets in a URL.
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

type Listener = EventEmitter & { listen(port: number, host: string, callback: () => void): unknown };

/** Both servers report a failed bind (EADDRINUSE) as an 'error' event, not through the callback. */
function listen(server: Listener, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
}

/**
 * A local mail catcher: a real SMTP server that keeps what it receives in memory, and an HTTP API
 * (and a page for a person) to read it. Receipts from a dev stack or a test land here instead of
 * in someone's mailbox.
 */
export async function startSmtpInbox(options: SmtpInboxOptions): Promise<SmtpInbox> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? createLogger({ name: 'inbox', level: 'silent', format: 'json' });
  const maxMessageBytes = options.maxMessageBytes ?? 25 * 1024 * 1024;
  const rejectRecipient = options.rejectRecipient ?? rejectInvalidTld;
  const store = new InboxStore(options.maxMessages ?? 500);

  const smtp = new SMTPServer({
    name: 'localhost',
    banner: 'Ping orchestrator dev inbox',
    // No credentials and no TLS: senders on this machine connect as to any plain relay.
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: maxMessageBytes,
    rejectOversized: true,
    disableReverseLookup: true,
    logger: false,
    // A pooled sender keeps idle connections open; stopping must not wait the default 30 s for them.
    closeTimeout: 1000,
    onRcptTo(address, _session, callback) {
      const rejection = rejectRecipient(address.address);
      callback(rejection ? smtpError(rejection) : undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.once('error', (err) => callback(err));
      stream.once('end', () => {
        if (stream.sizeExceeded) {
          callback(smtpError({ code: 552, message: `5.3.4 Message exceeds the ${maxMessageBytes} byte limit` }));
          return;
        }
        const envelope = {
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
        };
        parseMessage(Buffer.concat(chunks), envelope, new Date()).then(
          (stored) => {
            store.add(stored);
            const { id, subject, attachments } = stored.message;
            logger.info({ id, subject, recipients: envelope.rcptTo.length, attachments: attachments.length, bytes: stream.byteLength }, 'mail received');
            callback(null, `2.0.0 Ok: queued as ${id}`);
          },
          (err: unknown) => {
            logger.warn({ err }, 'could not parse a received message');
            callback(smtpError({ code: 451, message: '4.3.0 Could not parse the message' }));
          },
        );
      });
    },
  });

  const web = http.createServer(createInboxHandler(store));

  await listen(smtp, options.smtpPort, host);
  try {
    await listen(web, options.httpPort, host);
  } catch (err) {
    await new Promise<void>((resolve) => smtp.close(resolve));
    throw err;
  }
  // Socket errors of single sessions (a client resetting) arrive here; they must not end the process.
  smtp.on('error', (err) => logger.warn({ err }, 'smtp session error'));

  const smtpPort = (smtp.server.address() as AddressInfo).port;
  const httpPort = (web.address() as AddressInfo).port;

  let stopped: Promise<void> | undefined;
  return {
    smtpUrl: `smtp://${urlHost(host)}:${smtpPort}`,
    inboxUrl: `http://${urlHost(host)}:${httpPort}`,
    messages: () => store.list(),
    clear: () => store.clear(),
    stop() {
      stopped ??= Promise.all([
        new Promise<void>((resolve) => smtp.close(resolve)),
        new Promise<void>((resolve) => {
          web.close(() => resolve());
          web.closeAllConnections();
        }),
      ]).then(() => undefined);
      return stopped;
    },
  };
}
