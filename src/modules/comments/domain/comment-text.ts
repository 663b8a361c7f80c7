import { ValidationFailedError } from '@shared/errors/domain-error';
import { DEFAULT_TEXT_LIMIT } from '@shared/config/app-config';

export { DEFAULT_TEXT_LIMIT };

/**
 * The text to send: a string of 1–`limit` code points after trimming (API.md). Counted with the
 * string iterator, which walks code points, so an emoji outside the BMP counts once, not as the
 * two UTF-16 units `length` would see. Anything else is a 400 on `text`.
 */
export function commentText(raw: unknown, limit = DEFAULT_TEXT_LIMIT): string {
  if (typeof raw !== 'string') throw invalid('text must be a string');
  const text = raw.trim();
  const count = [...text].length;
  if (count === 0) throw invalid('text must not be empty');
  if (count > limit) throw invalid(`text must be at most ${limit} characters`);
  return text;
}

function invalid(message: string): ValidationFailedError {
  return new ValidationFailedError([{ field: 'text', message }]);
}
