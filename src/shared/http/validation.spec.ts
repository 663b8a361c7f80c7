import { IsOptional, IsString, MaxLength } from 'class-validator';
import { ValidationFailedError } from '../errors/domain-error';
import { createValidationPipe } from './validation';

class UrlDto {
  @IsString()
  @MaxLength(2048)
  url!: string;

  @IsOptional()
  @IsString()
  @MaxLength(5)
  note?: string;
}

async function details(value: unknown, type: 'body' | 'query' = 'body'): Promise<unknown> {
  try {
    await createValidationPipe().transform(value, { type, metatype: UrlDto });
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationFailedError);
    return (err as ValidationFailedError).details;
  }
}

describe('validation messages', () => {
  it('a missing or null field is required, whatever its other constraints', async () => {
    expect(await details({})).toEqual([{ field: 'url', message: 'url is required' }]);
    expect(await details({ url: null })).toEqual([{ field: 'url', message: 'url is required' }]);
    expect(await details(undefined)).toEqual([{ field: 'url', message: 'url is required' }]);
  });

  it('the kind of value before its bounds, and a bound when the kind is right', async () => {
    expect(await details({ url: 5 })).toEqual([{ field: 'url', message: 'url must be a string' }]);
    expect(await details({ url: 'x', note: 'too long' })).toEqual([
      { field: 'note', message: 'note must be shorter than or equal to 5 characters' },
    ]);
  });

  it('an unknown field, or an unknown query parameter', async () => {
    expect(await details({ url: 'x', sql: 1 })).toEqual([
      { field: 'sql', message: 'sql is not a known field' },
    ]);
    expect(await details({ url: 'x', sql: '1' }, 'query')).toEqual([
      { field: 'sql', message: 'sql is not a known parameter' },
    ]);
  });
});
