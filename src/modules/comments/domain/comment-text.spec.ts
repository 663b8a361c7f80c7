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
  it('trims and accepts 1 to 150 code points', () => {
    expect(commentText('  hi  ')).toBe('hi');
    const emoji150 = '😀'.repeat(150);
    expect(emoji150.length).toBe(300);
    expect(commentText(emoji150)).toBe(emoji150);
  });

  it('refuses 151 code points, empty, whitespace-only and non-strings on field text', () => {
    expect(code(() => commentText('a'.repeat(151)))).toBe('text');
    expect(code(() => commentText('😀'.repeat(151)))).toBe('text');
    expect(code(() => commentText(''))).toBe('text');
    expect(code(() => commentText(' \n\t '))).toBe('text');
    expect(code(() => commentText(42))).toBe('text');
    expect(code(() => commentText(null))).toBe('text');
    expect(code(() => commentText(['a']))).toBe('text');
  });
});
