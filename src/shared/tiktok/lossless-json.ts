/**
 * TikTok ids are 19 decimal digits, above 2^53: `JSON.parse` would round them silently when they
 * arrive as JSON numbers (webhook `content` does that, and nothing promises the REST API never
 * will). Integers of this many digits or more are turned into JSON strings before parsing; every
 * integer with fewer digits is below 2^53 and stays a number.
 */
export const LOSSLESS_MIN_DIGITS = 16;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * Rewrites JSON text so that every bare integer literal of `minDigits` or more digits becomes a
 * string literal (`7109065174526479622` → `"7109065174526479622"`). Strings, decimals and
 * exponents are left alone. Outside a string, a `-` or a digit can only start a number, so a
 * single pass that skips strings is exact for valid JSON (invalid JSON stays invalid).
 */
export function quoteLargeIntegers(text: string, minDigits = LOSSLESS_MIN_DIGITS): string {
  let out = '';
  let copied = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i++;
      while (i < n) {
        const s = text.charCodeAt(i);
        if (s === BACKSLASH) i += 2;
        else if (s === QUOTE) {
          i++;
          break;
        } else i++;
      }
      continue;
    }
    if (c === MINUS || isDigit(c)) {
      const start = i;
      if (c === MINUS) i++;
      const digitsStart = i;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      const intEnd = i;
      // a fraction or exponent: not an id, keep the whole literal as it is
      while (i < n && /[0-9.eE+-]/.test(text[i])) i++;
      if (i === intEnd && intEnd - digitsStart >= minDigits) {
        out += `${text.slice(copied, start)}"${text.slice(start, intEnd)}"`;
        copied = intEnd;
      }
      continue;
    }
    i++;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** `JSON.parse` that never loses digits of large integers (they come back as strings). */
export function parseJsonLossless(text: string): unknown {
  return JSON.parse(quoteLargeIntegers(text)) as unknown;
}
