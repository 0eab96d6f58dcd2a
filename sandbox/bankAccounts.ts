import { createHash } from 'node:crypto';
import type { BankAccount, Currency } from './entities';

/** The ISO 13616 check digits: the BBAN, then the country and "00", letters as numbers, mod 97. */
function ibanCheckDigits(country: string, bban: string): string {
  const digits = `${bban}${country}00`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  return String(98 - Number(BigInt(digits) % 97n)).padStart(2, '0');
}

/**
 * A recipient's payout account as allocations show it (docs/ping-contract.md §2.5 BankAccount). The
 * sandbox knows no real accounts, so it makes a Swedish one (clearing 5000, SEB) from the
 * recipient's id: the same recipient always gets the same account, and its IBAN checks out.
 */
export function sandboxBankAccount(recipientId: string, currency: Currency): BankAccount {
  const hash = createHash('sha256').update(recipientId).digest();
  let accountNumber = '';
  for (let i = 0; accountNumber.length < 11; i++) accountNumber += String(hash[i]! % 10);
  // A Swedish BBAN: a three-digit bank code, then the account number padded to 17 digits.
  const bban = `500${accountNumber.padStart(17, '0')}`;
  return {
    iban: `SE${ibanCheckDigits('SE', bban)}${bban}`,
    bban,
    bic: 'ESSESESS',
    bankgiro_number: null,
    currency,
    clearing_number: '5000',
    account_number: accountNumber,
  };
}
