import { loadConfigOrExit } from '../common/config/orExit';
import { createLogger } from '../common/logger';
import { onShutdown, runMain } from '../common/processLifecycle';
import { startSmtpInbox } from './smtpInbox';

/** `npm run inbox`: the local mail catcher on INBOX_SMTP_PORT (SMTP) and INBOX_HTTP_PORT (reading). */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ name: 'inbox', ...config.log });
  // Loopback only: it accepts mail from anyone without credentials and shows it to anyone.
  const inbox = await startSmtpInbox({
    host: '127.0.0.1',
    smtpPort: config.mail.inbox.smtpPort,
    httpPort: config.mail.inbox.httpPort,
    logger,
  });
  logger.info({ smtpUrl: inbox.smtpUrl, inboxUrl: inbox.inboxUrl }, `inbox receiving on ${inbox.smtpUrl}, messages at ${inbox.inboxUrl}`);

  // Idle pooled SMTP clients are cut off after a second; the grace period is the backstop.
  onShutdown('inbox', logger, () => inbox.stop(), 5_000);
}

runMain('inbox', main);
