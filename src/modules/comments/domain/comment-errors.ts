import { DomainError } from '@shared/errors/domain-error';

/** 403: only the account's own comments and replies can be deleted at TikTok. */
export class NotOwnCommentError extends DomainError {
  readonly code = 'NOT_OWN_COMMENT';
  readonly status = 403;
  constructor() {
    super('Only comments and replies written by the account can be deleted; hide this one instead');
  }
}

/** 409: the same Idempotency-Key was used with another request. */
export class IdempotencyKeyReusedError extends DomainError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  readonly status = 409;
  constructor() {
    super('This Idempotency-Key was used with a different request');
  }
}

/** 409: the first request with this Idempotency-Key is still running. */
export class IdempotencyKeyInProgressError extends DomainError {
  readonly code = 'IDEMPOTENCY_KEY_IN_PROGRESS';
  readonly status = 409;
  constructor() {
    super('A request with this Idempotency-Key is still in progress');
  }
}

/** 409: the comment exists only in Echo so far (its post is pending or failed). */
export class CommentNotSentError extends DomainError {
  readonly code = 'COMMENT_NOT_SENT';
  readonly status = 409;
  constructor() {
    super('This comment has not been posted to TikTok');
  }
}

/** 503: TikTok could not be reached (or its budget is spent) for a moderation call; retry later. */
export class TikTokUnavailableError extends DomainError {
  readonly code = 'TIKTOK_UNAVAILABLE';
  readonly status = 503;
  constructor() {
    super('TikTok is not reachable right now; try again shortly');
  }
}

/** 502: TikTok refused a moderation call. */
export class TikTokRejectedError extends DomainError {
  readonly code = 'TIKTOK_REJECTED';
  readonly status = 502;
  constructor() {
    super('TikTok refused the request');
  }
}
