import { parseJsonLossless, quoteLargeIntegers } from './lossless-json';

describe('lossless JSON', () => {
  it('keeps a 19-digit id given as a JSON number exactly', () => {
    const parsed = parseJsonLossless('{"comment_id":7110150495453840130,"video_id":7109065174526479622}') as Record<string, unknown>;
    expect(parsed.comment_id).toBe('7110150495453840130');
    expect(parsed.video_id).toBe('7109065174526479622');
    // the trap it avoids
    expect(String((JSON.parse('{"a":7110150495453840130}') as { a: number }).a)).not.toBe('7110150495453840130');
  });

  it('keeps 2^53 + 1 (16 digits) exactly', () => {
    expect((parseJsonLossless('[9007199254740993]') as unknown[])[0]).toBe('9007199254740993');
  });

  it('leaves small integers, decimals, exponents, negatives and ids already in strings alone', () => {
    const parsed = parseJsonLossless(
      '{"code":0,"cursor":1655118106000,"likes":-3,"ratio":12345678901234567.5,"big":1.5e300,"id":"7109065174526479622","n":123456789012345}',
    );
    expect(parsed).toEqual({
      code: 0,
      cursor: 1655118106000,
      likes: -3,
      ratio: 12345678901234567.5,
      big: 1.5e300,
      id: '7109065174526479622',
      n: 123456789012345,
    });
  });

  it('does not touch digits inside strings, with escaped quotes around them', () => {
    const text = '{"text":"call me \\"7109065174526479622\\" now 7109065174526479622","x":[7109065174526479622,-7109065174526479622]}';
    expect(parseJsonLossless(text)).toEqual({
      text: 'call me "7109065174526479622" now 7109065174526479622',
      x: ['7109065174526479622', '-7109065174526479622'],
    });
  });

  it('handles a backslash at the end of a string', () => {
    expect(parseJsonLossless('{"a":"x\\\\","b":7109065174526479622}')).toEqual({ a: 'x\\', b: '7109065174526479622' });
  });

  it('returns text without large integers unchanged and keeps invalid JSON invalid', () => {
    const text = '{"a":[1,2,3],"b":"c"}';
    expect(quoteLargeIntegers(text)).toBe(text);
    expect(() => parseJsonLossless('{"a":7109065174526479622')).toThrow(SyntaxError);
  });
});
