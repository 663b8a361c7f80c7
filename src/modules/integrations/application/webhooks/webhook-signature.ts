import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureCheck = { ok: true; t: number } | { ok: false; reason: 'missing' | 'malformed' | 'mismatch' | 'stale' };

const HEADER = /^\s*t=(\d{1,12})\s*,\s*s=([0-9a-fA-F]{64})\s*$/;

/**
 * Checks `Tiktok-Signature: t=<unix>,s=<hex>` (TIKTOK-API.md section 6): `s` must be
 * HMAC-SHA256(secret, t + "." + rawBody), compared in constant time, and `t` within
 * `toleranceSeconds` of `nowSeconds` (either side: a clock ahead of ours is as suspect as a replay).
 * The body is the exact bytes received: re-serialised JSON would not match.
 */
export function verifyTikTokSignature(
  header: string | undefined,
  rawBody: Buffer,
  secret: string,
  nowSeconds: number,
  toleranceSeconds: number,
): SignatureCheck {
  if (!header) return { ok: false, reason: 'missing' };
  const m = HEADER.exec(header);
  if (!m) return { ok: false, reason: 'malformed' };
  const t = Number(m[1]);
  const expected = createHmac('sha256', secret).update(`${m[1]}.`).update(rawBody).digest();
  const given = Buffer.from(m[2], 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'mismatch' };
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return { ok: false, reason: 'stale' };
  return { ok: true, t };
}
