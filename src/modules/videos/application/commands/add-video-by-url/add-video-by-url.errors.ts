import { DomainError } from '@shared/errors/domain-error';

/** 400: not a TikTok video URL (or a short link that does not lead to one on a TikTok host). */
export class InvalidVideoUrlError extends DomainError {
  readonly code = 'INVALID_VIDEO_URL';
  readonly status = 400;
  constructor() {
    super('Not a TikTok video URL');
  }
}

/** 422: TikTok does not list that video for the integration's account. */
export class VideoNotInAccountError extends DomainError {
  readonly code = 'VIDEO_NOT_IN_ACCOUNT';
  readonly status = 422;
  constructor() {
    super('TikTok does not list this video for the connected account');
  }
}
