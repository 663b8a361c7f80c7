/**
 * How a failed TikTok call is classified (TIKTOK-API.md section 5a). Callers decide by `kind`:
 * - `rate-limited`: wait for the budget (`retryAfterMs`); never a failure of the account
 * - `auth-expired`: refresh the token once, then retry once
 * - `auth-revoked`: mark the integration `reauth_required`
 * - `not-found`: the video or comment is gone; mark it, do not retry
 * - `invalid`: a bug on our side or a bad OAuth code/grant; do not retry
 * - `transient`: the client already retried with backoff; try again later
 * - `transient-unknown`: a create (or a single-use OAuth grant) was sent and no answer came back;
 *   it may have been applied. Never retried by the client: the caller reconciles by reading back.
 */
export type TikTokErrorKind =
  | 'rate-limited'
  | 'auth-expired'
  | 'auth-revoked'
  | 'not-found'
  | 'invalid'
  | 'transient'
  | 'transient-unknown';

/** Every outcome class: the error kinds plus success (`ok-partial` is TikTok's 20001). */
export type TikTokCallClass = 'ok' | 'ok-partial' | TikTokErrorKind;

/**
 * What a call does, as far as classification and retries care:
 * - `read`, `write` (hide, delete, webhook subscription), `revoke`: repeating them is harmless
 * - `create` (reply, top-level comment): no idempotency key, a repeat makes a duplicate
 * - `exchange`, `refresh`: consume a single-use auth code / refresh token
 */
export type TikTokOpKind = 'read' | 'write' | 'create' | 'exchange' | 'refresh' | 'revoke';

/** A classified failure of a TikTok call. Never carries the envelope, a token or a secret. */
export class TikTokError extends Error {
  override readonly name = 'TikTokError';
  readonly kind: TikTokErrorKind;
  /** TikTok's `code`, or null when there was no TikTok answer (HTTP error, timeout, budget). */
  readonly code: number | null;
  /** TikTok's `request_id`, when an answer carried one. */
  readonly requestId: string | null;
  /** The API path, e.g. `business/comment/list/`. */
  readonly endpoint: string;
  /** HTTP status of a non-2xx answer. */
  readonly httpStatus?: number;
  /** For `rate-limited`: how long until the budget is expected to have room. */
  readonly retryAfterMs?: number;
  /**
   * For a `40130` (`invalid`): the optional field TikTok refused, which the caller may drop and
   * call again without (`deniedField`). null for every other answer, and for a `40130` on a call
   * that asked for no optional field (nothing to drop: a bug).
   */
  readonly deniedField: string | null;

  constructor(init: {
    kind: TikTokErrorKind;
    endpoint: string;
    code?: number | null;
    requestId?: string | null;
    httpStatus?: number;
    retryAfterMs?: number;
    deniedField?: string | null;
    /** Already scrubbed of tokens and secrets. */
    detail?: string;
  }) {
    const parts = [`TikTok ${init.endpoint}: ${init.kind}`];
    if (init.code !== undefined && init.code !== null) parts.push(`code ${init.code}`);
    if (init.httpStatus !== undefined) parts.push(`HTTP ${init.httpStatus}`);
    if (init.requestId) parts.push(`request_id ${init.requestId}`);
    if (init.retryAfterMs !== undefined) parts.push(`retry after ${init.retryAfterMs} ms`);
    if (init.deniedField) parts.push(`field ${init.deniedField}`);
    super(init.detail ? `${parts.join(', ')}: ${init.detail}` : parts.join(', '));
    this.kind = init.kind;
    this.endpoint = init.endpoint;
    this.code = init.code ?? null;
    this.requestId = init.requestId ?? null;
    if (init.httpStatus !== undefined) this.httpStatus = init.httpStatus;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    this.deniedField = init.deniedField ?? null;
  }
}

/** True for `err` being a TikTokError, optionally of one of `kinds`. */
export function isTikTokError(err: unknown, ...kinds: TikTokErrorKind[]): err is TikTokError {
  return err instanceof TikTokError && (kinds.length === 0 || kinds.includes(err.kind));
}

const AUTH_EXPIRED = new Set([40102, 40105, 40104]);
const REFRESH_DEAD = new Set([40103, 40107]);
const AUTH_REVOKED = new Set([40001, 40113]);
const GRANT_INVALID = new Set([40101, 40108, 40110]);
/** A requested field the app may not read: the whole call fails (TIKTOK-API.md 5a). */
export const FIELD_NOT_AUTHORISED = 40130;

/**
 * Which field a `40130` refused. TikTok's message may name it; when it names none of the
 * optional fields asked for, the first of them in `optional`'s order (`is_ad` first) is taken.
 * null when the call asked for no optional field: then nothing can be dropped.
 */
export function deniedField(
  message: string | undefined,
  requested: readonly string[],
  optional: readonly string[],
): string | null {
  const asked = optional.filter((f) => requested.includes(f));
  const named = asked.find((f) => message !== undefined && new RegExp(`\\b${f}\\b`).test(message));
  return named ?? asked[0] ?? null;
}

/**
 * Classifies a TikTok answer (HTTP 200 with an envelope) by its `code`, in the order of the
 * table in TIKTOK-API.md 5a; the first match wins.
 */
export function classifyCode(code: number, op: TikTokOpKind): TikTokCallClass {
  if (code === 0) return 'ok';
  if (code === 20001) return 'ok-partial';
  if (code === 40100 || code === 40016) return 'rate-limited';
  if (AUTH_EXPIRED.has(code)) return 'auth-expired';
  if (op === 'refresh' && REFRESH_DEAD.has(code)) return 'auth-revoked';
  if (AUTH_REVOKED.has(code)) return 'auth-revoked';
  if (code === 40007) return 'not-found';
  if (GRANT_INVALID.has(code)) return 'invalid';
  if (code >= 40000 && code < 50000) return 'invalid';
  // The brief's conservative rule: a server error answering a create does not prove the comment
  // was not written, so it is reconciled by the caller like a lost answer.
  if (code >= 50000 && code < 60000) return op === 'create' ? 'transient-unknown' : 'transient';
  // Not in TikTok's list at all: treat as our bug rather than retrying blindly.
  return 'invalid';
}

/** Classifies a non-2xx HTTP answer (no envelope to read). */
export function classifyHttpStatus(status: number, op: TikTokOpKind): TikTokErrorKind {
  if (status >= 500) return op === 'create' ? 'transient-unknown' : 'transient';
  // 404 is a wrong path (a missing trailing slash?); every other 4xx is a wrong method or request.
  return 'invalid';
}

/**
 * Classifies a call that got no answer: a timeout, a reset, a refused connection. `sent` is false
 * only when the request provably never left (connection refused, DNS failure).
 */
export function classifyNoAnswer(sent: boolean, op: TikTokOpKind): TikTokErrorKind {
  if (!sent) return 'transient';
  return isSingleShot(op) ? 'transient-unknown' : 'transient';
}

/** Creates and single-use OAuth grants: repeating them after sending is never safe. */
export function isSingleShot(op: TikTokOpKind): boolean {
  return op === 'create' || op === 'exchange' || op === 'refresh';
}

/**
 * Whether the client itself may try again: only `transient` and `rate-limited`, and for a
 * single-shot call only when the request was never sent.
 */
export function isRetryable(kind: TikTokCallClass, op: TikTokOpKind, sent: boolean): boolean {
  if (kind !== 'transient' && kind !== 'rate-limited') return false;
  return !sent || !isSingleShot(op);
}
