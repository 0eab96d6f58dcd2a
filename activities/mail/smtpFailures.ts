import { ApplicationFailure } from '@temporalio/common';
import { maskAddressesIn } from './addresses';

interface SmtpError extends Error {
  code?: string;
  command?: string;
  responseCode?: number;
  response?: string;
}

/** RFC 5321: every 5yz reply is final, except 503 (bad sequence), which a new connection can clear. */
function isPermanentReply(code: number | undefined): boolean {
  return code !== undefined && code >= 500 && code < 600 && code !== 503;
}

/**
 * Maps a send failure onto Temporal's retry semantics. A recipient the server refuses for good will
 * be refused on every attempt, so it fails the activity at once; a message refused for good at DATA
 * likewise. Everything else (connection refused or reset, timeouts, 4xx, authentication, a rejected
 * sender, which a config fix heals) is thrown as an ordinary error, so Temporal retries it.
 * The thrown message is masked and carries no `cause`: both end up in workflow history.
 */
export function toActivityError(err: unknown, mail: 'receipt' | 'refund' = 'receipt'): Error {
  const e = (err instanceof Error ? err : new Error(String(err))) as SmtpError;
  const detail = maskAddressesIn(e.response ?? e.message);
  const details = { code: e.code, command: e.command, responseCode: e.responseCode };
  if (e.code === 'EENVELOPE' && (e.command === 'RCPT TO' ? isPermanentReply(e.responseCode) : e.responseCode === undefined)) {
    return ApplicationFailure.nonRetryable(`The recipient address was refused: ${detail}`, 'InvalidRecipient', details);
  }
  if (isPermanentReply(e.responseCode) && (e.command === 'DATA' || e.code === 'EMESSAGE')) {
    return ApplicationFailure.nonRetryable(`The mail server refused the ${mail === 'receipt' ? 'receipt' : 'refund e-mail'}: ${detail}`, 'MailRejected', details);
  }
  return Object.assign(new Error(`Sending the ${mail} e-mail failed (${[e.code, e.responseCode].filter(Boolean).join(' ') || e.name}): ${detail}`), {
    code: e.code,
    responseCode: e.responseCode,
  });
}
