import { ValidationFailedError } from '@shared/errors/domain-error';
import { commentText } from './comment-text';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationFailedError);
    return (e as ValidationFailedError).details?.[0]?.field;
  }
}

describe('commentText', () => {
  it('trims and accepts 1 to 1,200 code points by default, or the limit given', () => {
    expect(commentText('  hi  ')).toBe('hi');
    const emoji = '😀'.repeat(1200);
    expect(emoji.length).toBe(2400);
    expect(commentText(emoji)).toBe(emoji);
    expect(commentText('😀'.repeat(150), 150)).toBe('😀'.repeat(150));
  });

  it('refuses more code points than the limit, empty, whitespace-only and non-strings on field text', () => {
    expect(code(() => commentText('a'.repeat(1201)))).toBe('text');
    expect(code(() => commentText('😀'.repeat(1201)))).toBe('text');
    expect(code(() => commentText('😀'.repeat(151), 150))).toBe('text');
    expect(code(() => commentText(''))).toBe('text');
    expect(code(() => commentText(' \n\t '))).toBe('text');
    expect(code(() => commentText(42))).toBe('text');
    expect(code(() => commentText(null))).toBe('text');
    expect(code(() => commentText(['a']))).toBe('text');
  });
});
