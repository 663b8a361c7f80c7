import { IntegrationNotActiveError } from '@modules/integrations/contracts';
import { TikTokError, type TikTokErrorKind } from '@shared/tiktok/tiktok-error';
import type { TikTokComment } from '@shared/tiktok/tiktok-api.port';
import { classifySendFailure, matchReadBack, visibilityDelayMs } from './delivery';

const err = (kind: TikTokErrorKind) => new TikTokError({ kind, endpoint: 'business/comment/reply/create/' });

const reply = (id: string, text: string, at: string, owner = true): TikTokComment => ({
  commentId: id,
  videoId: '7109065174526479622',
  parentCommentId: '7110150495453840130',
  text,
  createTime: new Date(at),
  likes: 0,
  replies: 0,
  owner,
  status: 'PUBLIC',
  username: 'acct',
  displayName: 'Acct',
  profileImage: null,
  uniqueIdentifier: null,
});

describe('classifySendFailure', () => {
  it('retries only what TikTok certainly did not get, reads back the unknown, fails refusals', () => {
    expect(classifySendFailure(err('transient'), 'reply')).toEqual({ kind: 'retry' });
    expect(classifySendFailure(err('rate-limited'), 'reply')).toEqual({ kind: 'retry' });
    expect(classifySendFailure(err('transient-unknown'), 'reply')).toEqual({ kind: 'unknown' });
    expect(classifySendFailure(err('invalid'), 'reply')).toEqual({ kind: 'failed', reason: 'TEXT_REJECTED' });
    expect(classifySendFailure(err('not-found'), 'reply')).toEqual({ kind: 'failed', reason: 'COMMENT_NOT_FOUND' });
    expect(classifySendFailure(err('not-found'), 'comment')).toEqual({ kind: 'failed', reason: 'VIDEO_NOT_FOUND' });
    expect(classifySendFailure(err('auth-revoked'), 'comment')).toEqual({ kind: 'failed', reason: 'INTEGRATION_NOT_ACTIVE' });
    expect(classifySendFailure(new IntegrationNotActiveError('disconnected'), 'reply')).toEqual({
      kind: 'failed',
      reason: 'INTEGRATION_NOT_ACTIVE',
    });
    // something we did not expect may have happened after the request left: never resend blindly
    expect(classifySendFailure(new Error('boom'), 'reply')).toEqual({ kind: 'unknown' });
  });
});

describe('matchReadBack', () => {
  const started = new Date('2026-11-25T10:00:05.700Z');

  it('finds the account’s reply with the same text stamped after the attempt began (to the second)', () => {
    const found = matchReadBack(
      [
        reply('3', 'thanks!', '2026-11-25T10:00:09Z', false), // a fan, same text
        reply('2', 'thanks!', '2026-11-25T10:00:05Z'), // same second as the attempt: ours
        reply('1', 'other', '2026-11-25T10:00:06Z'),
      ],
      { text: 'thanks!', attemptStartedAt: started, alreadyMatched: new Set() },
    );
    expect(found?.commentId).toBe('2');
  });

  it('ignores replies from before the attempt and ones already matched to another post', () => {
    const candidates = [reply('1', 'thanks!', '2026-11-25T09:59:00Z'), reply('2', 'thanks!', '2026-11-25T10:00:06Z')];
    expect(matchReadBack(candidates, { text: 'thanks!', attemptStartedAt: started, alreadyMatched: new Set(['2']) })).toBeUndefined();
    expect(matchReadBack(candidates, { text: 'thanks!', attemptStartedAt: started, alreadyMatched: new Set() })?.commentId).toBe('2');
  });

  it('waits at least 2 s and at most a minute for visibility', () => {
    expect(visibilityDelayMs(100)).toBe(2_000);
    expect(visibilityDelayMs(10_000)).toBe(20_000);
    expect(visibilityDelayMs(120_000)).toBe(60_000);
  });
});
