import { ApplicationFailure } from '@temporalio/common';
import addressparser from 'nodemailer/lib/addressparser';
import { createLogger, type Logger } from '../../common/logger';
import { isPlausibleAddress, maskAddressesIn, maskEmail } from './addresses';
import { receiptMessageId, refundMessageId, safeToken } from './messageId';
import { httpUrlOrUndefined, validateInput, type ReceiptEmailInput } from './receiptInput';
import { validateRefundInput, type RefundEmailInput } from './refundInput';
import { fetchReceiptPdf } from './receiptPdf';
import { renderReceipt } from './renderReceipt';
import { renderRefund } from './renderRefund';
import { toActivityError } from './smtpFailures';
import { createSmtpPool } from './transport';

export type { ReceiptEmailInput, ReceiptItem, ReceiptLocale } from './receiptInput';
export type { RefundEmailInput } from './refundInput';
export { isPlausibleAddress, maskEmail } from './addresses';
export { receiptMessageId, refundMessageId } from './messageId';
export { renderReceipt } from './renderReceipt';
export { renderRefund } from './renderRefund';

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
  /** "Your refund of 140,00 kr": one per refund, whatever the retries (a fixed Message-ID). */
  sendRefundEmail(input: RefundEmailInput): Promise<{ messageId: string }>;
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
    async sendRefundEmail(input) {
      validateRefundInput(input);
      const to = input.to.trim();
      const maskedTo = maskEmail(to);
      const log = logger.child({ paymentId: input.paymentId, to: maskedTo });
      if (!isPlausibleAddress(to)) {
        log.warn('refund e-mail not sent: the recipient is not an e-mail address');
        throw ApplicationFailure.nonRetryable(`The recipient ${maskedTo} is not a valid e-mail address`, 'InvalidRecipient', { recipient: maskedTo });
      }

      const messageId = refundMessageId(input.paymentId);
      const rendered = renderRefund(input);
      try {
        const info = await transport.sendMail({ from: deps.from, to, subject: rendered.subject, text: rendered.text, html: rendered.html, messageId });
        log.info({ messageId, latePayment: input.latePayment === true, smtpResponse: maskAddressesIn(info.response) }, 'refund e-mail sent');
        return { messageId };
      } catch (err) {
        const failure = toActivityError(err, 'refund');
        const retryable = !(failure instanceof ApplicationFailure && failure.nonRetryable);
        log.warn({ messageId, retryable, failure: failure.message }, 'refund e-mail not sent');
        throw failure;
      }
    },
    close() {
      transport.close();
    },
  };
}
