import { withFieldFallback } from './field-fallback';
import type { TikTokAuth } from './tiktok-api.port';
import { FIELD_NOT_AUTHORISED, TikTokError, classifyCode, deniedField } from './tiktok-error';

const OPTIONAL = ['is_ad'];

function fieldRefused(field: string | null): TikTokError {
  return new TikTokError({
    kind: 'invalid',
    endpoint: 'business/video/list/',
    code: FIELD_NOT_AUTHORISED,
    deniedField: field,
  });
}

describe('40130: a refused field (TIKTOK-API.md 5a)', () => {
  it('is classified invalid (never retried by the client itself)', () => {
    expect(classifyCode(40130, 'read')).toBe('invalid');
  });

  it('names the optional field TikTok names, else the first optional field asked for, else none', () => {
    expect(
      deniedField('No permission to read field: is_ad.', ['item_id', 'caption', 'is_ad'], OPTIONAL),
    ).toBe('is_ad');
    expect(deniedField('Field not authorised.', ['item_id', 'is_ad'], OPTIONAL)).toBe('is_ad');
    expect(deniedField(undefined, ['item_id', 'is_ad'], OPTIONAL)).toBe('is_ad');
    // nothing optional was asked for: nothing to drop
    expect(
      deniedField('No permission to read field: caption.', ['item_id', 'caption'], OPTIONAL),
    ).toBeNull();
  });

  it('remembers the field and calls once more without the optional fields', async () => {
    const auth: TikTokAuth = { accessToken: 'act.x', openId: 'o' };
    const seen: (readonly string[] | undefined)[] = [];
    const remembered: string[] = [];
    const result = await withFieldFallback(
      auth,
      (a) => {
        seen.push(a.unavailableFields);
        return seen.length === 1 ? Promise.reject(fieldRefused('is_ad')) : Promise.resolve('page');
      },
      (field) => {
        remembered.push(field);
        return Promise.resolve();
      },
    );
    expect(result).toBe('page');
    expect(remembered).toEqual(['is_ad']);
    expect(seen).toEqual([undefined, ['is_ad']]);
  });

  it('retries only once, and never for other failures or a 40130 with nothing to drop', async () => {
    const auth: TikTokAuth = { accessToken: 'act.x', openId: 'o', unavailableFields: [] };
    let calls = 0;
    const always = (): Promise<never> => {
      calls++;
      return Promise.reject(fieldRefused('is_ad'));
    };
    await expect(withFieldFallback(auth, always, () => Promise.resolve())).rejects.toMatchObject({
      code: 40130,
    });
    expect(calls).toBe(2);

    for (const err of [
      fieldRefused(null),
      new TikTokError({ kind: 'transient', endpoint: 'x', code: 50000 }),
    ]) {
      calls = 0;
      const remembered: string[] = [];
      const once = (): Promise<never> => {
        calls++;
        return Promise.reject(err);
      };
      await expect(
        withFieldFallback(auth, once, (f) => {
          remembered.push(f);
          return Promise.resolve();
        }),
      ).rejects.toBe(err);
      expect(calls).toBe(1);
      expect(remembered).toEqual([]);
    }
  });
});
