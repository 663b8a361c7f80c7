import { parsePgTimestamp, pgArray } from './tx';

describe('tx helpers', () => {
  it('parses PostgreSQL timestamp text in any offset form', () => {
    expect((parsePgTimestamp('2026-11-25 10:07:17.123456+00') as Date).toISOString()).toBe('2026-11-25T10:07:17.123Z');
    expect((parsePgTimestamp('2026-11-25 10:07:17+05:30') as Date).toISOString()).toBe('2026-11-25T04:37:17.000Z');
    expect((parsePgTimestamp('2026-11-25 10:07:17') as Date).toISOString()).toBe('2026-11-25T10:07:17.000Z');
    expect(parsePgTimestamp('infinity')).toBe('infinity');
  });

  it('writes arrays as escaped PostgreSQL array literals', () => {
    expect(pgArray(['a', 'b"c', 'd\\e'])).toBe('{"a","b\\"c","d\\\\e"}');
    expect(pgArray([null, 1])).toBe('{NULL,"1"}');
  });
});
