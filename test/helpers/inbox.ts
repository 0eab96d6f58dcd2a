import { startSmtpInbox, type InboxMessage, type SmtpInbox, type SmtpInboxOptions } from '../../devservices/smtpInbox';
import { heldLogger } from './heldLogs';

export type { InboxMessage } from '../../devservices/smtpInbox';

export interface RunningInbox extends SmtpInbox {
  /**
   * Polls until at least `count` received messages match, then returns all that match (oldest first);
   * fails after `timeoutMs` naming how many it saw, so a missing mail reads as such in the test output.
   */
  waitForMessages(predicate: (message: InboxMessage) => boolean, timeoutMs?: number, count?: number): Promise<InboxMessage[]>;
}

/** The real dev inbox on free loopback ports, quiet unless something goes wrong. */
export async function startInbox(options: Partial<SmtpInboxOptions> = {}): Promise<RunningInbox> {
  const inbox = await startSmtpInbox({
    logger: heldLogger('test-inbox'),
    ...options,
    smtpPort: options.smtpPort ?? 0,
    httpPort: options.httpPort ?? 0,
  });
  return {
    ...inbox,
    async waitForMessages(predicate, timeoutMs = 5000, count = 1) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matching = inbox.messages().filter(predicate);
        if (matching.length >= count) return matching;
        if (Date.now() > deadline) {
          throw new Error(`Timed out after ${timeoutMs} ms waiting for ${count} matching message(s); ${matching.length} of ${inbox.messages().length} received matched`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}
