import { ValidationFailedError } from '../errors/domain-error';
import { findUnstorable, isStorableDateText } from './storable';

export { isStorableDateText };

/** Opaque keyset cursor: base64url of a small JSON object. */
export function encodeCursor(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** Decodes a cursor made by `encodeCursor`, checking its shape; a bad cursor is a 400. */
export function decodeCursor<T>(raw: string | undefined, check: (v: Record<string, unknown>) => v is Record<string, unknown> & T): T | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    // a forged cursor reaches SQL: every value must be storable (no NUL or lone surrogate, integers
    // within 2^53) before the list's own check of its shape
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && !findUnstorable(v) && check(v as Record<string, unknown>)) return v as T;
  } catch {
    /* fall through */
  }
  throw new ValidationFailedError([{ field: 'cursor', message: 'cursor is not valid' }]);
}

/** Every list answers this. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
