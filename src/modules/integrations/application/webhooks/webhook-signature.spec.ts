import { createHmac } from 'node:crypto';
import { verifyTikTokSignature } from './webhook-signature';

const secret = 'app-secret';
const body = Buffer.from('{"event":"comment.update","content":"{\\"comment_id\\":7110150495453840130}"}');
const sign = (t: number, b: Buffer = body, key = secret): string => `t=${t},s=${createHmac('sha256', key).update(`${t}.`).update(b).digest('hex')}`;
const now = 1_800_000_000;

describe('verifyTikTokSignature', () => {
  it('accepts a correct signature within the tolerance', () => {
    expect(verifyTikTokSignature(sign(now - 299), body, secret, now, 300)).toEqual({ ok: true, t: now - 299 });
    expect(verifyTikTokSignature(sign(now + 10), body, secret, now, 300).ok).toBe(true);
  });
  it('refuses missing, malformed, wrong key, altered body, and stale timestamps', () => {
    expect(verifyTikTokSignature(undefined, body, secret, now, 300)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyTikTokSignature('garbage', body, secret, now, 300)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyTikTokSignature(`t=${now},s=abc`, body, secret, now, 300)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyTikTokSignature(sign(now, body, 'other'), body, secret, now, 300)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyTikTokSignature(sign(now), Buffer.from(`${body.toString()} `), secret, now, 300)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyTikTokSignature(sign(now - 301), body, secret, now, 300)).toEqual({ ok: false, reason: 'stale' });
    expect(verifyTikTokSignature(sign(now + 301), body, secret, now, 300)).toEqual({ ok: false, reason: 'stale' });
    // the timestamp is signed: moving it breaks the signature
    const s = sign(now - 1000).split(',s=')[1];
    expect(verifyTikTokSignature(`t=${now},s=${s}`, body, secret, now, 300)).toEqual({ ok: false, reason: 'mismatch' });
  });
});
