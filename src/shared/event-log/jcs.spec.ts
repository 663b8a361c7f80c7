import { canonicalJson } from './jcs';
import { chainHash, dataDigest, isRedacted } from './chain';
import { GENESIS_HASH } from './event.types';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], '€': 0, A: {} })).toBe('{"A":{},"a":[true,null,"x"],"b":1,"€":0}');
  });

  it('serialises numbers the ECMAScript way', () => {
    expect(canonicalJson([1e21, 0.1, -0, 1.5e-7, 100])).toBe('[1e+21,0.1,0,1.5e-7,100]');
  });

  it('escapes control characters in lowercase hex and keeps other unicode literal', () => {
    expect(canonicalJson('\u001f\n"é😀')).toBe('"\\u001f\\n\\"é😀"');
  });

  it('refuses non-finite numbers', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(TypeError);
  });
});

describe('chain', () => {
  it('digest and hash are stable and depend on every field', () => {
    const f = {
      seq: 1,
      id: '00000000-0000-4000-8000-000000000001',
      type: 't.x.done',
      occurredAt: '2026-01-01T00:00:00.000Z',
      tenant: 'acme',
      actor: { type: 'user' as const, id: 'u1' },
      subject: { type: 'x', id: '1' },
      dataDigest: dataDigest({ a: 1 }),
    };
    const h = chainHash(GENESIS_HASH, f);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(chainHash(GENESIS_HASH, { ...f, seq: 2 })).not.toBe(h);
    expect(chainHash('1'.repeat(64), f)).not.toBe(h);
    expect(dataDigest({ b: 2, a: 1 })).toBe(dataDigest({ a: 1, b: 2 }));
  });

  it('recognises only the exact redaction marker', () => {
    expect(isRedacted({ redacted: true })).toBe(true);
    expect(isRedacted({ redacted: true, x: 1 })).toBe(false);
    expect(isRedacted({ redacted: 'true' })).toBe(false);
  });
});
