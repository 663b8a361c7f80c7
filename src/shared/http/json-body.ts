import { DomainError, ValidationFailedError } from '../errors/domain-error';

/** Deeper JSON than any request of the API needs; the limit keeps recursive walkers (class-transformer) off a stack overflow. */
export const MAX_JSON_DEPTH = 32;

/** 415: a body in another media type or charset than `application/json; charset=utf-8`. */
export class UnsupportedMediaTypeError extends DomainError {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
  readonly status = 415;
  constructor() {
    super('Send the body as application/json in UTF-8');
  }
}

/** 400: the body is not JSON. */
export class MalformedJsonError extends DomainError {
  readonly code = 'MALFORMED_JSON';
  readonly status = 400;
  constructor() {
    super('The request body is not valid JSON');
  }
}

/**
 * True when arrays and objects nest deeper than `max`. One pass over the text with a counter
 * (no recursion), skipping strings, so it runs before anything walks the parsed value.
 */
export function jsonNestsDeeper(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * The JSON body parser: an empty body is no body (a bodiless POST with `content-type:
 * application/json` is fine), a charset other than UTF-8 is a 415, nesting deeper than
 * `MAX_JSON_DEPTH` a 400, then Fastify's own parser (prototype-poisoning checks included).
 */
export function parseJsonBody(
  contentType: string | undefined,
  body: Buffer,
  parse: (text: string) => unknown,
): unknown {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')
    throw new UnsupportedMediaTypeError();
  const text = body.toString('utf8');
  if (text.trim() === '') return undefined;
  if (jsonNestsDeeper(text, MAX_JSON_DEPTH)) {
    throw new ValidationFailedError([
      {
        field: 'body',
        message: `body must not nest arrays and objects deeper than ${MAX_JSON_DEPTH} levels`,
      },
    ]);
  }
  try {
    return parse(text);
  } catch (err) {
    // prototype poisoning and syntax errors alike: the body is refused, never a 500
    throw err instanceof DomainError ? err : new MalformedJsonError();
  }
}
