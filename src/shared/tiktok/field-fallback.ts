import { OPTIONAL_VIDEO_FIELDS, type TikTokAuth } from './tiktok-api.port';
import { TikTokError } from './tiktok-error';

/**
 * TIKTOK-API.md 5a, `40130`: asking for a field the app may not read fails the whole call. Runs
 * `call`; when TikTok refuses an optional field, hands it to `remember` (so that the account's
 * next calls leave it out) and makes the call once more without any optional field. Every other
 * failure, and a second one, is the caller's.
 */
export async function withFieldFallback<T>(
  auth: TikTokAuth,
  call: (auth: TikTokAuth) => Promise<T>,
  remember: (field: string) => Promise<void>,
): Promise<T> {
  try {
    return await call(auth);
  } catch (err) {
    if (!(err instanceof TikTokError) || err.deniedField === null) throw err;
    await remember(err.deniedField);
    const without = [
      ...new Set([...(auth.unavailableFields ?? []), err.deniedField, ...OPTIONAL_VIDEO_FIELDS]),
    ];
    return call({ ...auth, unavailableFields: without });
  }
}
