import { loadConfigOrExit } from '../common/config';
import { createLogger } from '../common/logger';
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

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'inbox shutting down');
    // Idle pooled SMTP clients are cut off after a second; this is the backstop if anything hangs.
    setTimeout(() => process.exit(0), 5_000).unref();
    void inbox.stop().finally(() => {
      logger.info('inbox stopped');
      process.exit(0);
    });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`inbox failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
