// Control numbers (RULES.md section 2): 16 decimal digits, the last a Luhn check digit, about 50 bits
// of secret. Only an HMAC of the number is ever stored. Randomness comes in as bytes, so this module
// stays pure: the caller passes a cryptographic source.
import { createHmac } from 'node:crypto';

export const CONTROL_NUMBER_DIGITS = 16;

/** The Luhn check digit for a string of digits. */
export function luhnCheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    // Double every second digit counting from the right of the payload (the check digit's neighbour first).
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * A control number from a source of random bytes (e.g. crypto.randomBytes). Digits are drawn by
 * rejection sampling, so each of the 15 payload digits is uniform (15 x log2(10) = 49.8 bits).
 */
export function newControlNumber(randomBytes: (n: number) => Uint8Array): string {
  let payload = '';
  while (payload.length < CONTROL_NUMBER_DIGITS - 1) {
    for (const b of randomBytes(32)) {
      if (b < 250 && payload.length < CONTROL_NUMBER_DIGITS - 1) payload += String(b % 10);
    }
  }
  return payload + String(luhnCheckDigit(payload));
}

/** Digits only: spaces and hyphens a holder types between groups are dropped. */
export function normalizeControlNumber(input: string): string {
  return input.replace(/[\s-]/g, '');
}

export type ControlNumberCheck =
  | { ok: true; digits: string }
  | { ok: false; reason: 'format' | 'check-digit' };

/** Checks the form and the check digit, before any database read. */
export function checkControlNumber(input: string): ControlNumberCheck {
  const digits = normalizeControlNumber(input);
  if (!/^\d{16}$/.test(digits)) return { ok: false, reason: 'format' };
  const payload = digits.slice(0, -1);
  if (luhnCheckDigit(payload) !== Number(digits.slice(-1))) return { ok: false, reason: 'check-digit' };
  return { ok: true, digits };
}

/** The stored form: HMAC-SHA256 under the meeting's secret, hex. */
export function controlNumberHash(digits: string, secret: Uint8Array | string): string {
  return createHmac('sha256', secret).update(digits).digest('hex');
}

/** Groups of four for print and e-mail: 1234 5678 9012 3456. */
export function formatControlNumber(digits: string): string {
  return digits.replace(/(\d{4})(?=\d)/g, '$1 ');
}

const RECEIPT_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32: no I, L, O, U

/** A receipt code shown on screen and in the confirmation e-mail: 12 characters (60 bits), XXXX-XXXX-XXXX. */
export function newReceiptCode(randomBytes: (n: number) => Uint8Array): string {
  const bytes = randomBytes(12);
  let code = '';
  for (const b of bytes) code += RECEIPT_ALPHABET[b & 31];
  return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8, 12)}`;
}
