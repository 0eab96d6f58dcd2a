/** `bertil@example.com` → `b***@example.com`: enough for support to match a complaint, not a payer's address in the logs. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '***';
  return `${address[0]}***${address.slice(at)}`;
}

/** SMTP replies and nodemailer messages often quote the recipient; they end up in logs and in Temporal history. */
export function maskAddressesIn(text: string): string {
  return text.replace(/[^\s<>()[\]",;:]+@[^\s<>()[\]",;:]+/g, maskEmail);
}

/**
 * One mailbox, nothing else: no display name, no list, no header-breaking characters. Not RFC 5322 in
 * full; it exists to turn an obviously wrong address into a clear permanent failure before any SMTP.
 */
export function isPlausibleAddress(address: string): boolean {
  if (address.length > 254) return false;
  const match = /^([^\s@<>()[\]\\,;:"]{1,64})@([^\s@<>()[\]\\,;:"]+)$/u.exec(address);
  if (!match) return false;
  const labels = match[2].split('.');
  return labels.every((l) => l.length > 0 && l.length <= 63 && /^[\p{L}\p{N}-]+$/u.test(l) && !l.startsWith('-') && !l.endsWith('-'));
}
