import { isUuid, uuidV7 } from './uuid';

describe('uuidV7', () => {
  it('is a version 7, RFC 4122 variant UUID whose first 48 bits are the time in milliseconds', () => {
    const at = Date.parse('2026-12-03T08:00:00.123Z');
    const id = uuidV7(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('sorts by time and differs within one millisecond', () => {
    const a = uuidV7(1_000);
    const b = uuidV7(1_001);
    expect(a < b).toBe(true);
    const same = new Set(Array.from({ length: 1000 }, () => uuidV7(5_000)));
    expect(same.size).toBe(1000);
  });

  it('isUuid accepts the canonical form of any version and nothing else', () => {
    expect(isUuid(uuidV7())).toBe(true);
    expect(isUuid('0F8FAD5B-D9CB-469F-A165-70867728950E')).toBe(true);
    for (const bad of ['', 'x', '0f8fad5b-d9cb-469f-a165-70867728950', "0f8fad5b-d9cb-469f-a165-70867728950e' or '1'='1", '0f8fad5bd9cb469fa16570867728950e']) {
      expect(isUuid(bad)).toBe(false);
    }
  });
});
