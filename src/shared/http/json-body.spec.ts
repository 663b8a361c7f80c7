import { ValidationFailedError } from '../errors/domain-error';
import {
  MAX_JSON_DEPTH,
  MalformedJsonError,
  UnsupportedMediaTypeError,
  jsonNestsDeeper,
  parseJsonBody,
} from './json-body';
import { findUnstorable, isStorableDateText, unstorableString } from './storable';

describe('parseJsonBody', () => {
  const parse = (text: string) => JSON.parse(text) as unknown;
  const body = (s: string) => Buffer.from(s, 'utf8');

  it('an empty body is no body', () => {
    expect(parseJsonBody('application/json', body(''), parse)).toBeUndefined();
    expect(parseJsonBody('application/json', body('  \n'), parse)).toBeUndefined();
  });

  it('refuses nesting past the limit before parsing, counting only brackets outside strings', () => {
    const ok = '['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH);
    expect(parseJsonBody('application/json', body(ok), parse)).toBeDefined();
    expect(() => parseJsonBody('application/json', body(`[${ok}]`), parse)).toThrow(
      ValidationFailedError,
    );
    expect(() =>
      parseJsonBody('application/json', body('['.repeat(20_000) + ']'.repeat(20_000)), parse),
    ).toThrow(ValidationFailedError);
    expect(jsonNestsDeeper(JSON.stringify({ a: '[[[[[[[[[[\\"{{{{{{{{' }), 2)).toBe(false);
  });

  it('refuses another charset (415) and bad JSON (400 MALFORMED_JSON)', () => {
    expect(() => parseJsonBody('application/json; charset=latin1', body('{}'), parse)).toThrow(
      UnsupportedMediaTypeError,
    );
    expect(parseJsonBody('application/json; charset=UTF-8', body('{}'), parse)).toEqual({});
    expect(() => parseJsonBody('application/json', body('{"a": '), parse)).toThrow(
      MalformedJsonError,
    );
  });
});

describe('storable values', () => {
  it('finds NUL and lone surrogates, not paired ones', () => {
    expect(unstorableString('a\u0000b')).toMatch(/NUL/);
    expect(unstorableString('\ud800')).toMatch(/surrogate/);
    expect(unstorableString('a\udc00')).toMatch(/surrogate/);
    expect(unstorableString('😀 fine')).toBeNull();
    expect(findUnstorable({ a: [{ b: 'x\u0000' }] })).toEqual({
      field: 'a.0.b',
      message: 'a.0.b must not contain the NUL character',
    });
    expect(findUnstorable({ n: 1e308 })).toEqual({ field: 'n', message: 'n is out of range' });
    expect(findUnstorable({ d: new Date('-271821-04-20T00:00:00Z') })?.field).toBe('d');
    expect(findUnstorable({ ok: 'yes', n: 3, d: new Date() })).toBeNull();
  });

  it('dates in years 0001–9999 only', () => {
    expect(isStorableDateText('0001-01-01T00:00:00Z')).toBe(true);
    expect(isStorableDateText('9999-12-31T23:59:59.999Z')).toBe(true);
    expect(isStorableDateText('-000001-01-01T00:00:00Z')).toBe(false);
    expect(isStorableDateText('+010000-01-01T00:00:00Z')).toBe(false);
    expect(isStorableDateText('not a date')).toBe(false);
  });
});
