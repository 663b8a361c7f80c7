import { IntegrationNotActiveError } from '@modules/integrations/contracts';
import { isTikTokError } from '@shared/tiktok/tiktok-error';
import type { TikTokComment } from '@shared/tiktok/tiktok-api.port';

/**
 * Posting a reply (or a top-level comment) at most once (DESIGN.md section 3).
 *
 * `pending` → `sent` | `failed`. The row is committed as `pending` before TikTok is called. A
 * post is retried automatically only when TikTok certainly did not receive it; after an unknown
 * outcome it is read back and, if not found once TikTok's visibility delay has passed, it becomes
 * `failed` with `OUTCOME_UNKNOWN` for a person to resend. Never a second automatic post.
 */
export type DeliveryState = 'pending' | 'sent' | 'failed';

/** Stable reasons a delivery failed (the Comment's `delivery.error`). */
export type DeliveryFailure =
  | 'TEXT_REJECTED'
  | 'COMMENT_NOT_FOUND'
  | 'VIDEO_NOT_FOUND'
  | 'INTEGRATION_NOT_ACTIVE'
  | 'OUTCOME_UNKNOWN';

/** What to do after a create call failed. */
export type SendFailureOutcome =
  /** TikTok certainly did not get it (no connection, no budget slot): try again later */
  | { kind: 'retry' }
  /** TikTok refused it: final */
  | { kind: 'failed'; reason: DeliveryFailure }
  /** it may have been posted: read back, never post again */
  | { kind: 'unknown' };

/** Classifies a failed create (`createReply` / `createComment`) by the client's error class. */
export function classifySendFailure(err: unknown, target: 'reply' | 'comment'): SendFailureOutcome {
  if (err instanceof IntegrationNotActiveError) return { kind: 'failed', reason: 'INTEGRATION_NOT_ACTIVE' };
  if (!isTikTokError(err)) return { kind: 'unknown' }; // anything unexpected: assume it may have left
  switch (err.kind) {
    case 'transient':
    case 'rate-limited':
      return { kind: 'retry' };
    case 'transient-unknown':
      return { kind: 'unknown' };
    case 'not-found':
      return { kind: 'failed', reason: target === 'reply' ? 'COMMENT_NOT_FOUND' : 'VIDEO_NOT_FOUND' };
    case 'invalid':
      return { kind: 'failed', reason: 'TEXT_REJECTED' };
    case 'auth-expired':
    case 'auth-revoked':
      return { kind: 'failed', reason: 'INTEGRATION_NOT_ACTIVE' };
  }
}

/** TikTok stamps whole seconds, and its clock is not ours: how far before our attempt a match may be stamped. */
export const READ_BACK_SKEW_MS = 2_000;

/**
 * Finds our post among what TikTok lists after an unknown outcome: written by the account, the
 * same text, stamped no earlier than our attempt began (to TikTok's second, less a small clock
 * skew), and not already matched to another of our rows. The oldest such candidate wins, so two
 * identical replies sent one after the other match in order.
 */
export function matchReadBack(
  candidates: readonly TikTokComment[],
  want: { text: string; attemptStartedAt: Date; alreadyMatched: ReadonlySet<string> },
): TikTokComment | undefined {
  const notBefore = Math.floor(want.attemptStartedAt.getTime() / 1000) * 1000 - READ_BACK_SKEW_MS;
  return candidates
    .filter(
      (c) =>
        c.owner && c.text.trim() === want.text && c.createTime.getTime() >= notBefore && !want.alreadyMatched.has(c.commentId),
    )
    .sort((a, b) => a.createTime.getTime() - b.createTime.getTime() || compareIds(a.commentId, b.commentId))[0];
}

/** Decimal ids of any length, numerically. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * How long an unknown outcome stays `pending` while we look for it: TikTok's read-after-write
 * delay is not documented, so give it twice the time we would wait for an answer, within bounds.
 */
export function visibilityDelayMs(requestTimeoutMs: number): number {
  return Math.min(60_000, Math.max(2_000, 2 * requestTimeoutMs));
}

/** Backoff before re-sending a post TikTok certainly did not receive. */
export function retryDelayMs(attempts: number): number {
  return Math.min(5 * 60_000, 1_000 * 2 ** Math.min(attempts, 8));
}
