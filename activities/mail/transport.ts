import { createTransport } from 'nodemailer';

/** One pool per worker: receipts of many payments share a few SMTP connections instead of one each. */
export function createSmtpPool(smtpUrl: string) {
  return createTransport({
    url: smtpUrl,
    pool: true,
    maxConnections: 5,
    // Well inside an activity's timeout, so a dead server shows up as a retry, not as a hung attempt.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    // Attachments are buffers we built; nothing in a message may make the worker read files or URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
}
