import { TikTokError, classifyCode, classifyHttpStatus, classifyNoAnswer, isRetryable, type TikTokOpKind } from './tiktok-error';

describe('TikTok answer classification (TIKTOK-API.md 5a)', () => {
  const cases: [number, TikTokOpKind, string][] = [
    [0, 'read', 'ok'],
    [20001, 'read', 'ok-partial'],
    [40100, 'read', 'rate-limited'],
    [40016, 'create', 'rate-limited'],
    [40102, 'read', 'auth-expired'],
    [40105, 'write', 'auth-expired'],
    [40104, 'read', 'auth-expired'],
    [40103, 'refresh', 'auth-revoked'],
    [40107, 'refresh', 'auth-revoked'],
    // not on refresh: falls through to "other 4xxxx"
    [40103, 'read', 'invalid'],
    [40107, 'exchange', 'invalid'],
    [40001, 'read', 'auth-revoked'],
    [40113, 'exchange', 'auth-revoked'],
    [40007, 'read', 'not-found'],
    [40007, 'create', 'not-found'],
    [40101, 'exchange', 'invalid'],
    [40108, 'refresh', 'invalid'],
    [40110, 'exchange', 'invalid'],
    [40000, 'read', 'invalid'],
    [40002, 'create', 'invalid'],
    [49999, 'read', 'invalid'],
    [50000, 'read', 'transient'],
    [50002, 'write', 'transient'],
    [51234, 'refresh', 'transient'],
    [50000, 'create', 'transient-unknown'],
    [50002, 'create', 'transient-unknown'],
    [12345, 'read', 'invalid'],
  ];
  it.each(cases)('code %i on a %s call is %s', (code, op, expected) => {
    expect(classifyCode(code, op)).toBe(expected);
  });

  it('classifies HTTP statuses: 5xx transient (unknown after a create), 404 and other 4xx invalid', () => {
    expect(classifyHttpStatus(503, 'read')).toBe('transient');
    expect(classifyHttpStatus(500, 'write')).toBe('transient');
    expect(classifyHttpStatus(502, 'create')).toBe('transient-unknown');
    expect(classifyHttpStatus(404, 'read')).toBe('invalid');
    expect(classifyHttpStatus(404, 'create')).toBe('invalid');
    expect(classifyHttpStatus(405, 'read')).toBe('invalid');
  });

  it('classifies a missing answer by whether the request left and what it was', () => {
    expect(classifyNoAnswer(false, 'create')).toBe('transient');
    expect(classifyNoAnswer(false, 'read')).toBe('transient');
    expect(classifyNoAnswer(true, 'read')).toBe('transient');
    expect(classifyNoAnswer(true, 'write')).toBe('transient');
    expect(classifyNoAnswer(true, 'create')).toBe('transient-unknown');
    expect(classifyNoAnswer(true, 'exchange')).toBe('transient-unknown');
    expect(classifyNoAnswer(true, 'refresh')).toBe('transient-unknown');
  });

  it('retries only transient and rate-limited, and a single-shot call only when it was never sent', () => {
    expect(isRetryable('transient', 'read', true)).toBe(true);
    expect(isRetryable('rate-limited', 'read', true)).toBe(true);
    expect(isRetryable('transient', 'create', true)).toBe(false);
    expect(isRetryable('rate-limited', 'create', true)).toBe(false);
    expect(isRetryable('transient', 'create', false)).toBe(true);
    expect(isRetryable('transient', 'refresh', true)).toBe(false);
    expect(isRetryable('transient-unknown', 'create', true)).toBe(false);
    for (const kind of ['auth-expired', 'auth-revoked', 'not-found', 'invalid'] as const) {
      expect(isRetryable(kind, 'read', false)).toBe(false);
    }
  });

  it('builds an error message from the class, code and request id only', () => {
    const err = new TikTokError({ kind: 'rate-limited', endpoint: 'business/comment/list/', code: 40100, requestId: 'R1', retryAfterMs: 1200 });
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe('TikTok business/comment/list/: rate-limited, code 40100, request_id R1, retry after 1200 ms');
    expect(err.retryAfterMs).toBe(1200);
    expect(err.code).toBe(40100);
  });
});
