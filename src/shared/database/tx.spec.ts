import { parsePgTimestamp, pgArray, toKnexRaw } from './tx';

describe('tx helpers', () => {
  it('parses PostgreSQL timestamp text in any offset form', () => {
    expect((parsePgTimestamp('2026-11-25 10:07:17.123456+00') as Date).toISOString()).toBe('2026-11-25T10:07:17.123Z');
    expect((parsePgTimestamp('2026-11-25 10:07:17+05:30') as Date).toISOString()).toBe('2026-11-25T04:37:17.000Z');
    expect((parsePgTimestamp('2026-11-25 10:07:17') as Date).toISOString()).toBe('2026-11-25T10:07:17.000Z');
    expect(parsePgTimestamp('infinity')).toBe('infinity');
  });

  it('turns $n into knex bindings and arrays into array literals', () => {
    expect(toKnexRaw('select $2, $1, $1 where a ? b', ['x', ['a', 'b"c']])).toEqual({
      sql: 'select ?, ?, ? where a \\? b',
      bindings: ['{"a","b\\"c"}', 'x', 'x'],
    });
    expect(pgArray([null, 1])).toBe('{NULL,"1"}');
    expect(() => toKnexRaw('select $3', [1])).toThrow(/\$3/);
  });
});
