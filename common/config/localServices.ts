import type { Config } from './processConfig';

/** Whether the config points at the local stand-ins `npm start` runs next to the app. */

export function isLocal(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '::1' || host === '[::1]' || host.startsWith('127.');
}

/** True when the Ping URLs point at our local emulator, so `npm start` should run it. */
export function usesLocalSandbox(config: Config): boolean {
  return [config.ping.paymentsApiUrl, config.ping.paymentLinksApiUrl].some((u) => {
    const url = new URL(u);
    return isLocal(u) && Number(url.port || 80) === config.sandbox.port;
  });
}

/** True when receipts go to the local SMTP inbox, so `npm start` should run it. */
export function usesLocalInbox(config: Config): boolean {
  const url = new URL(config.mail.smtpUrl);
  return isLocal(config.mail.smtpUrl) && Number(url.port || 25) === config.mail.inbox.smtpPort;
}
