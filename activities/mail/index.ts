import { ApplicationFailure } from '@temporalio/common';
import addressparser from 'nodemailer/lib/addressparser';
import { createLogger, type Logger } from '../../common/logger';
import { isPlausibleAddress, maskAddressesIn, maskEmail } from './addresses';
import { receiptMessageId, safeToken } from './messageId';
import { httpUrlOrUndefined, validateInput, type ReceiptEmailInput } from './receiptInput';
import { fetchReceiptPdf } from './receiptPdf';
import { renderReceipt } from './renderReceipt';
import { toActivityError } from './smtpFailures';
import { createSmtpPool } from './transport';

export type { ReceiptEmailInput, ReceiptItem, ReceiptLocale } from './receiptInput';
export { isPlausibleAddress, maskEmail } from './addresses';
export { receiptMessageId } from './messageId';
export { renderReceipt } from './renderReceipt';

export interface MailActivityDeps {
  smtpUrl: string;
  /** The From header, e.g. `Ping orchestrator <receipts@localhost>`. */
  from: string;
  logger?: Logger;
  /** How long fetching the receipt PDF may take before the mail goes out with the link only (default 5 s). */
  fetchTimeoutMs?: number;
}

export interface MailActivities {
  sendReceiptEmail(input: ReceiptEmailInput): Promise<{ messageId: string }>;
  /** Ends the pooled SMTP connections (worker shutdown, end of a test). */
  close(): void;
}

export function createMailActivities(deps: MailActivityDeps): MailActivities {
  const logger = deps.logger ?? createLogger({ name: 'mail', level: 'silent', format: 'json' });
  const fetchTimeoutMs = deps.fetchTimeoutMs ?? 5_000;
  const sender = addressparser(deps.from, { flatten: true });
  if (sender.length !== 1 || !isPlausibleAddress(sender[0].address)) {
    // A config mistake: better at worker start than as a failure in every payment.
    throw new Error(`The mail sender must be one address such as "Shop <receipts@example.com>", got ${JSON.stringify(deps.from)}`);
  }
  const transport = createSmtpPool(deps.smtpUrl);

  return {
    async sendReceiptEmail(input) {
      validateInput(input);
      const to = input.to.trim();
      const maskedTo = maskEmail(to);
      const log = logger.child({ paymentId: input.paymentId, to: maskedTo });
      if (!isPlausibleAddress(to)) {
        log.warn('receipt not sent: the recipient is not an e-mail address');
        throw ApplicationFailure.nonRetryable(`The recipient ${maskedTo} is not a valid e-mail address`, 'InvalidRecipient', { recipient: maskedTo });
      }

      const receiptUrl = httpUrlOrUndefined(input.receiptUrl);
      if (input.receiptUrl && !receiptUrl) log.warn('receiptUrl is not an http(s) URL; the receipt goes out without the link');
      let pdf: Buffer | undefined;
      if (receiptUrl) {
        const result = await fetchReceiptPdf(receiptUrl, fetchTimeoutMs);
        if ('pdf' in result) pdf = result.pdf;
        // The link in the mail is the fallback, so a missing PDF never holds a receipt back.
        else log.warn({ receiptHost: new URL(receiptUrl).host, reason: result.reason }, 'receipt PDF not attached; sending the link only');
      }

      const messageId = receiptMessageId(input.paymentId);
      const rendered = renderReceipt(input, { receiptUrl, pdfAttached: pdf !== undefined });
      try {
        const info = await transport.sendMail({
          from: deps.from,
          to,
          subject: rendered.subject,
          text: rendered.text,
          html: rendered.html,
          messageId,
          attachments: pdf ? [{ filename: `receipt-${safeToken(input.paymentId)}.pdf`, content: pdf, contentType: 'application/pdf' }] : [],
        });
        log.info({ messageId, pdfAttached: pdf !== undefined, smtpResponse: maskAddressesIn(info.response) }, 'receipt e-mail sent');
        return { messageId };
      } catch (err) {
        const failure = toActivityError(err);
        const retryable = !(failure instanceof ApplicationFailure && failure.nonRetryable);
        log.warn({ messageId, retryable, failure: failure.message }, 'receipt e-mail not sent');
        throw failure;
      }
    },
    close() {
      transport.close();
    },
  };
}
