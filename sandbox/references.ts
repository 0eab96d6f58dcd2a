import { randomInt } from 'node:crypto';
import type { ReferenceType } from './entities';

/** The Luhn (modulus 10) check digit, which both Swedish OCR and Norwegian KID references use. */
export function luhnCheckDigit(digits: string): number {
  let sum = 0;
  // Walk from the right; the digit next to the (future) check digit is doubled.
  for (let i = digits.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = Number(digits[i]);
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function isValidLuhn(reference: string): boolean {
  return /^\d{2,25}$/.test(reference) && luhnCheckDigit(reference.slice(0, -1)) === Number(reference.slice(-1));
}

function randomDigits(n: number): string {
  let out = String(randomInt(1, 10));
  while (out.length < n) out += String(randomInt(0, 10));
  return out;
}

/**
 * A fresh payment reference.
 * OCR (Bankgirot, SEK): digits + length digit + Luhn check digit, the "hard" OCR check that banks
 * verify; the length digit is the total length mod 10.
 * KID (Norway, NOK): digits + a MOD10 (Luhn) check digit.
 */
export function newReference(type: ReferenceType): string {
  if (type === 'KID') {
    const base = randomDigits(11);
    return `${base}${luhnCheckDigit(base)}`;
  }
  const base = randomDigits(12);
  const withLength = `${base}${(base.length + 2) % 10}`;
  return `${withLength}${luhnCheckDigit(withLength)}`;
}
