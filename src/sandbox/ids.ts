import { createHash, randomBytes } from 'node:crypto';

const EIGHTEEN_DIGITS = 10n ** 18n;

/**
 * A TikTok-style 19-digit decimal id starting with 7. Built with BigInt so it never
 * passes through a JS number (such ids are above 2^53).
 */
export function newNumericId(): string {
  const n = BigInt('0x' + randomBytes(16).toString('hex')) % EIGHTEEN_DIGITS;
  return '7' + n.toString().padStart(18, '0');
}

/** A random open_id in the shape TikTok uses ('-000' followed by opaque characters). */
export function newOpenId(): string {
  return '-000' + randomBytes(16).toString('hex');
}

/** Random opaque token text (url-safe). */
export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** A stable opaque hash, used for `unique_identifier` and `user_id`. */
export function stableHash(input: string, length = 32): string {
  return createHash('sha256').update(input).digest('hex').slice(0, length);
}

/** True for a string of decimal digits only (safe to write as a JSON number literal). */
export function isDecimalId(value: string): boolean {
  return /^[1-9][0-9]*$/.test(value);
}
