/**
 * What PostgreSQL cannot store, found before it is asked to: a NUL (U+0000) in `text`, a lone
 * UTF-16 surrogate in `jsonb` (events carry request strings in their data), and dates outside
 * years 0001–9999 (JavaScript accepts ±271,821; `timestamptz` does not, and ISO 8601 without
 * extension stops at four-digit years).
 */

// a high surrogate not followed by a low one, or a low one not preceded by a high one
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a string cannot be stored, or null when it can. */
export function unstorableString(s: string): string | null {
  const m = UNSTORABLE.exec(s);
  if (!m) return null;
  return m[0] === '\u0000'
    ? 'must not contain the NUL character'
    : 'must not contain a lone UTF-16 surrogate';
}

const MIN_MS = new Date('0001-01-01T00:00:00.000Z').getTime();
const MAX_MS = new Date('9999-12-31T23:59:59.999Z').getTime();

/** A valid date in years 0001–9999. */
export function isStorableDate(d: Date): boolean {
  const ms = d.getTime();
  return Number.isFinite(ms) && ms >= MIN_MS && ms <= MAX_MS;
}

/** A string `Date.parse` reads as a time in years 0001–9999 (cursors carry times as text). */
export function isStorableDateText(s: string): boolean {
  return isStorableDate(new Date(s));
}

/** The first value PostgreSQL could not take, with its path (`name`, `items.0.text`), or null. */
export function findUnstorable(
  value: unknown,
  root = '',
): { field: string; message: string } | null {
  // iterative: a value's depth is bounded by the body parser, but a walk need not rely on that
  const stack: { v: unknown; path: string }[] = [{ v: value, path: root }];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    const name = path || 'value';
    if (typeof v === 'string') {
      const why = unstorableString(v);
      if (why) return { field: name, message: `${name} ${why}` };
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v) || (Number.isInteger(v) && !Number.isSafeInteger(v)))
        return { field: name, message: `${name} is out of range` };
    } else if (v instanceof Date) {
      if (!isStorableDate(v))
        return { field: name, message: `${name} must be a time in the years 0001 to 9999` };
    } else if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) continue;
      seen.add(v);
      for (const [k, child] of Object.entries(v)) {
        const why = unstorableString(k);
        if (why) return { field: name, message: `a field name ${why}` };
        stack.push({ v: child, path: path ? `${path}.${k}` : k });
      }
    }
  }
  return null;
}
