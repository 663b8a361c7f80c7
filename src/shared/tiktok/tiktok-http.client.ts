import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppConfig } from '../config/app-config';
import type { Metrics } from '../operations/metrics';
import { parseJsonLossless } from './lossless-json';
import type {
  ListCommentsInput,
  ListRepliesInput,
  ListVideosInput,
  TikTokAccountField,
  TikTokAccountInfo,
  TikTokApi,
  TikTokAuth,
  TikTokCallOptions,
  TikTokComment,
  TikTokCreatedComment,
  TikTokPage,
  TikTokVideo,
  TikTokVideoField,
  TikTokWebhookSubscription,
  TokenSet,
} from './tiktok-api.port';
import { OPTIONAL_VIDEO_FIELDS } from './tiktok-api.port';
import {
  FIELD_NOT_AUTHORISED,
  TikTokError,
  classifyCode,
  deniedField,
  classifyHttpStatus,
  classifyNoAnswer,
  isRetryable,
  type TikTokCallClass,
  type TikTokOpKind,
} from './tiktok-error';
import {
  TikTokShapeError,
  asRecord,
  mapAccount,
  mapCommentPage,
  mapCreated,
  mapTokenSet,
  mapVideoPage,
  mapWebhooks,
} from './tiktok-mappers';
import type { RateBudget } from './tiktok-rate-budget';

/** The parts of the app config the client reads. */
export type TikTokClientSettings = Pick<AppConfig['tiktok'], 'apiBaseUrl' | 'clientKey' | 'clientSecret' | 'requestTimeoutMs'> &
  Partial<Pick<AppConfig['tiktok'], 'textLimit'>>;

/** Retry and waiting behaviour; defaults suit production, tests shrink them. */
export interface TikTokClientOptions {
  /** Attempts per call, the first included (only `transient` and `rate-limited` are repeated). Default 4. */
  maxAttempts: number;
  /** Backoff before retry n is random in [0, min(maxDelayMs, baseDelayMs · 2^(n-1))] (full jitter). Default 250. */
  baseDelayMs: number;
  /** Default 5000. */
  maxDelayMs: number;
  /** Default longest wait for a budget slot per call. Default 30000. */
  maxWaitMs: number;
}

const DEFAULT_OPTIONS: TikTokClientOptions = { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 5_000, maxWaitMs: 30_000 };

const DEFAULT_VIDEO_FIELDS: TikTokVideoField[] = [
  'item_id',
  'create_time',
  'caption',
  'share_url',
  'embed_url',
  'thumbnail_url',
  'likes',
  'comments',
  'is_ad',
];
const DEFAULT_ACCOUNT_FIELDS: TikTokAccountField[] = ['username', 'display_name', 'profile_image'];

/** Connection errors that prove the request never left this process. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
/** Token-shaped text, scrubbed from anything we log or throw even if TikTok echoes it. */
const TOKEN_RE = /\b(?:act|rft)\.[A-Za-z0-9._~+/=-]+/g;

type QueryValue = string | number | boolean | readonly string[] | Record<string, unknown> | undefined;

interface CallSpec {
  endpoint: string;
  method: 'GET' | 'POST';
  op: TikTokOpKind;
  /** `account`: the account's and the app's budget; `app`: the app's only; `none`: OAuth. */
  budget: 'account' | 'app' | 'none';
  auth?: TikTokAuth;
  query?: Record<string, QueryValue>;
  body?: Record<string, unknown>;
  /** Values that must never reach a log line or an error message. */
  secrets: string[];
}

interface Answer {
  data: Record<string, unknown>;
  requestId: string | null;
  /** When the request that got this answer left. */
  sentAt: number;
}

interface Attempt {
  cls: TikTokCallClass;
  sent: boolean;
  code: number | null;
  httpStatus?: number;
  requestId: string | null;
  data?: Record<string, unknown>;
  detail?: string;
  sentAt: number;
}

/**
 * The TikTok Accounts API over `fetch`, as TIKTOK-API.md describes it: trailing-slash paths,
 * `Access-Token` header, JSON bodies, JSON-text query arrays, lossless parsing of ids, answers
 * classified by section 5a, retries with capped full-jitter backoff for `transient` and
 * `rate-limited` only, and every budgeted request gated by the shared PostgreSQL rate budget.
 */
export class TikTokHttpClient implements TikTokApi {
  private readonly log = new Logger('TikTokClient');
  private readonly options: TikTokClientOptions;

  constructor(
    private readonly settings: TikTokClientSettings,
    private readonly budget: RateBudget,
    private readonly metrics: Metrics | null,
    options: Partial<TikTokClientOptions> = {},
  ) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
  }

  // ---- OAuth (not budgeted) ----

  async exchangeCode(input: { code: string; redirectUri: string }): Promise<TokenSet> {
    const endpoint = 'tt_user/oauth2/token/';
    const answer = await this.call({
      endpoint,
      method: 'POST',
      op: 'exchange',
      budget: 'none',
      body: {
        client_id: this.settings.clientKey,
        client_secret: this.settings.clientSecret,
        grant_type: 'authorization_code',
        auth_code: input.code,
        redirect_uri: input.redirectUri,
      },
      secrets: [input.code],
    });
    return this.mapped(endpoint, answer, (d) => mapTokenSet(d, answer.sentAt));
  }

  async refresh(input: { refreshToken: string }): Promise<TokenSet> {
    const endpoint = 'tt_user/oauth2/refresh_token/';
    const answer = await this.call({
      endpoint,
      method: 'POST',
      op: 'refresh',
      budget: 'none',
      body: {
        client_id: this.settings.clientKey,
        client_secret: this.settings.clientSecret,
        grant_type: 'refresh_token',
        refresh_token: input.refreshToken,
      },
      secrets: [input.refreshToken],
    });
    return this.mapped(endpoint, answer, (d) => mapTokenSet(d, answer.sentAt));
  }

  async revoke(input: { accessToken: string }): Promise<void> {
    await this.call({
      endpoint: 'tt_user/oauth2/revoke/',
      method: 'POST',
      op: 'revoke',
      budget: 'none',
      body: { client_id: this.settings.clientKey, client_secret: this.settings.clientSecret, access_token: input.accessToken },
      secrets: [input.accessToken],
    });
  }

  // ---- account and videos ----

  async getAccount(auth: TikTokAuth, input: { fields?: TikTokAccountField[] } = {}, opts?: TikTokCallOptions): Promise<TikTokAccountInfo> {
    const endpoint = 'business/get/';
    const answer = await this.call(
      this.read(endpoint, auth, { business_id: auth.openId, fields: input.fields ?? DEFAULT_ACCOUNT_FIELDS }),
      opts,
    );
    return this.mapped(endpoint, answer, mapAccount);
  }

  async listVideos(auth: TikTokAuth, input: ListVideosInput = {}, opts?: TikTokCallOptions): Promise<TikTokPage<TikTokVideo>> {
    const endpoint = 'business/video/list/';
    const answer = await this.call(
      this.read(endpoint, auth, {
        business_id: auth.openId,
        fields: videoFields(input.fields, auth),
        cursor: input.cursor,
        max_count: input.maxCount ?? 20,
      }),
      opts,
    );
    return this.mapped(endpoint, answer, mapVideoPage);
  }

  async getVideosByIds(auth: TikTokAuth, ids: string[], opts: TikTokCallOptions & { fields?: TikTokVideoField[] } = {}): Promise<TikTokVideo[]> {
    const endpoint = 'business/video/list/';
    if (ids.length === 0) return [];
    if (ids.length > 20) throw this.refuse(endpoint, 'at most 20 video ids per call');
    const answer = await this.call(
      this.read(endpoint, auth, {
        business_id: auth.openId,
        fields: videoFields(opts.fields, auth),
        filters: { video_ids: ids },
        max_count: 20,
      }),
      opts,
    );
    return this.mapped(endpoint, answer, (d) => mapVideoPage(d).items);
  }

  // ---- comments ----

  async listComments(auth: TikTokAuth, input: ListCommentsInput, opts?: TikTokCallOptions): Promise<TikTokPage<TikTokComment>> {
    const endpoint = 'business/comment/list/';
    if (input.commentIds && input.commentIds.length > 30) throw this.refuse(endpoint, 'at most 30 comment ids per call');
    const answer = await this.call(
      this.read(endpoint, auth, {
        business_id: auth.openId,
        video_id: input.videoId,
        comment_ids: input.commentIds && input.commentIds.length > 0 ? input.commentIds : undefined,
        include_replies: input.includeReplies ? true : undefined,
        status: input.status,
        sort_field: input.sortField,
        sort_order: input.sortOrder,
        cursor: input.cursor,
        max_count: input.maxCount ?? 30,
      }),
      opts,
    );
    return this.mapped(endpoint, answer, mapCommentPage);
  }

  async listReplies(auth: TikTokAuth, input: ListRepliesInput, opts?: TikTokCallOptions): Promise<TikTokPage<TikTokComment>> {
    const endpoint = 'business/comment/reply/list/';
    const answer = await this.call(
      this.read(endpoint, auth, {
        business_id: auth.openId,
        video_id: input.videoId,
        comment_id: input.commentId,
        cursor: input.cursor,
        max_count: input.maxCount ?? 30,
      }),
      opts,
    );
    return this.mapped(endpoint, answer, (d) => {
      const page = mapCommentPage(d);
      // the endpoint's own answer names the parent; fill it in should TikTok leave it out
      return { ...page, items: page.items.map((c) => ({ ...c, parentCommentId: c.parentCommentId ?? input.commentId })) };
    });
  }

  async getCommentsByIds(auth: TikTokAuth, videoId: string, ids: string[], opts?: TikTokCallOptions): Promise<TikTokComment[]> {
    if (ids.length === 0) return [];
    const page = await this.listComments(auth, { videoId, commentIds: ids, maxCount: Math.min(30, ids.length) }, opts);
    return page.items;
  }

  async createReply(
    auth: TikTokAuth,
    input: { videoId: string; commentId: string; text: string },
    opts?: TikTokCallOptions,
  ): Promise<TikTokCreatedComment> {
    const endpoint = 'business/comment/reply/create/';
    this.checkText(endpoint, input.text);
    const answer = await this.call(
      this.write(endpoint, 'create', auth, { business_id: auth.openId, video_id: input.videoId, comment_id: input.commentId, text: input.text }),
      opts,
    );
    return this.mapped(endpoint, answer, mapCreated);
  }

  async createComment(auth: TikTokAuth, input: { videoId: string; text: string }, opts?: TikTokCallOptions): Promise<TikTokCreatedComment> {
    const endpoint = 'business/comment/create/';
    this.checkText(endpoint, input.text);
    const answer = await this.call(
      this.write(endpoint, 'create', auth, { business_id: auth.openId, video_id: input.videoId, text: input.text }),
      opts,
    );
    return this.mapped(endpoint, answer, mapCreated);
  }

  async hideComment(auth: TikTokAuth, input: { videoId: string; commentId: string; hide: boolean }, opts?: TikTokCallOptions): Promise<void> {
    await this.call(
      this.write('business/comment/hide/', 'write', auth, {
        business_id: auth.openId,
        video_id: input.videoId,
        comment_id: input.commentId,
        action: input.hide ? 'HIDE' : 'UNHIDE',
      }),
      opts,
    );
  }

  async deleteComment(auth: TikTokAuth, input: { commentId: string }, opts?: TikTokCallOptions): Promise<void> {
    await this.call(this.write('business/comment/delete/', 'write', auth, { business_id: auth.openId, comment_id: input.commentId }), opts);
  }

  // ---- webhook subscription (app credentials; app budget only) ----

  async updateWebhook(input: { callbackUrl: string; eventType: 'COMMENT' }, opts?: TikTokCallOptions): Promise<TikTokWebhookSubscription> {
    const endpoint = 'business/webhook/update/';
    const answer = await this.call(
      {
        endpoint,
        method: 'POST',
        op: 'write',
        budget: 'app',
        body: {
          app_id: this.settings.clientKey,
          secret: this.settings.clientSecret,
          event_type: input.eventType,
          callback_url: input.callbackUrl,
        },
        secrets: [],
      },
      opts,
    );
    return this.mapped(endpoint, answer, (d) => mapWebhooks(d)[0] ?? { eventType: input.eventType, callbackUrl: input.callbackUrl });
  }

  async listWebhooks(input: { eventType: 'COMMENT' }, opts?: TikTokCallOptions): Promise<TikTokWebhookSubscription[]> {
    const endpoint = 'business/webhook/list/';
    const answer = await this.call(
      {
        endpoint,
        method: 'GET',
        op: 'read',
        budget: 'app',
        // TikTok wants the secret in the query here; the URL is therefore never logged.
        query: { app_id: this.settings.clientKey, secret: this.settings.clientSecret, event_type: input.eventType },
        secrets: [],
      },
      opts,
    );
    return this.mapped(endpoint, answer, mapWebhooks);
  }

  // ---- the request pipeline ----

  private read(endpoint: string, auth: TikTokAuth, query: Record<string, QueryValue>): CallSpec {
    return { endpoint, method: 'GET', op: 'read', budget: 'account', auth, query, secrets: [auth.accessToken] };
  }

  private write(endpoint: string, op: TikTokOpKind, auth: TikTokAuth, body: Record<string, unknown>): CallSpec {
    return { endpoint, method: 'POST', op, budget: 'account', auth, body, secrets: [auth.accessToken] };
  }

  /** Budget, send, classify, retry. Returns the `data` of a `code` 0 or 20001 answer. */
  private async call(spec: CallSpec, opts?: TikTokCallOptions): Promise<Answer> {
    const started = Date.now();
    const maxWaitMs = opts?.maxWaitMs ?? this.options.maxWaitMs;
    const openId = spec.auth?.openId;
    const scope = { endpoint: spec.endpoint, openId: spec.budget === 'account' ? openId : undefined, priority: opts?.priority };
    for (let attempt = 1; ; attempt++) {
      if (spec.budget !== 'none') {
        const grant = await this.budget.acquire(scope, Math.max(0, maxWaitMs - (Date.now() - started)));
        if (!grant.ok) {
          this.metrics?.tiktokCalls.inc({ endpoint: spec.endpoint, class: 'budget-refused' });
          // the caller waited its limit for a slot: expected under load (a backfill), not a warning
          this.log.log({ msg: 'tiktok call refused by rate budget', endpoint: spec.endpoint, open_id: openId ?? null, retry_after_ms: grant.retryAfterMs, attempt });
          throw new TikTokError({ kind: 'rate-limited', endpoint: spec.endpoint, retryAfterMs: grant.retryAfterMs, detail: 'rate budget has no slot within the wait limit' });
        }
      }
      const result = await this.send(spec);
      this.record(spec, result, attempt, Date.now() - result.sentAt);
      if (result.cls === 'ok' || result.cls === 'ok-partial') {
        return { data: result.data ?? {}, requestId: result.requestId, sentAt: result.sentAt };
      }
      let retryAfterMs: number | undefined;
      if (result.cls === 'rate-limited' && result.sent) {
        // TikTok counted more than our budget did: make every instance sit out this account's window.
        retryAfterMs = (await this.budget.penalize(scope)) || this.options.maxDelayMs;
      }
      // After a 40100 the budget holds the account back for a whole window: when that is beyond the
      // caller's wait limit, answer now with TikTok's code rather than wait to be refused.
      const fitsWait = retryAfterMs === undefined || Date.now() - started + retryAfterMs <= maxWaitMs;
      if (attempt < this.options.maxAttempts && fitsWait && isRetryable(result.cls, spec.op, result.sent)) {
        const cap = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (attempt - 1));
        await sleep(Math.floor(Math.random() * cap));
        continue;
      }
      throw new TikTokError({
        kind: result.cls,
        endpoint: spec.endpoint,
        code: result.code,
        requestId: result.requestId,
        httpStatus: result.httpStatus,
        retryAfterMs,
        deniedField:
          result.code === FIELD_NOT_AUTHORISED
            ? deniedField(result.detail, requestedFields(spec), OPTIONAL_VIDEO_FIELDS)
            : null,
        detail: result.detail === undefined ? undefined : this.scrub(result.detail, spec),
      });
    }
  }

  /** One HTTP request with a timeout; never throws. */
  private async send(spec: CallSpec): Promise<Attempt> {
    const url = new URL(spec.endpoint, this.settings.apiBaseUrl);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (spec.auth) headers['access-token'] = spec.auth.accessToken;
    let body: string | undefined;
    for (const [k, v] of Object.entries(spec.query ?? {})) {
      if (v === undefined) continue;
      url.searchParams.set(k, typeof v === 'string' ? v : JSON.stringify(v));
    }
    if (spec.method === 'POST') {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(spec.body ?? {});
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.settings.requestTimeoutMs);
    const sentAt = Date.now();
    let status: number;
    let text: string;
    try {
      const res = await fetch(url, { method: spec.method, headers, body, signal: controller.signal, redirect: 'error' });
      status = res.status;
      text = await res.text();
    } catch (err: unknown) {
      const timedOut = controller.signal.aborted;
      const sent = timedOut || !NOT_SENT_CODES.has(causeCode(err) ?? '');
      return {
        cls: classifyNoAnswer(sent, spec.op),
        sent,
        code: null,
        requestId: null,
        detail: timedOut ? `no answer within ${this.settings.requestTimeoutMs} ms` : `connection failed (${causeCode(err) ?? 'unknown'})`,
        sentAt,
      };
    } finally {
      clearTimeout(timer);
    }
    if (status < 200 || status > 299) {
      return { cls: classifyHttpStatus(status, spec.op), sent: true, code: null, httpStatus: status, requestId: null, sentAt };
    }
    let envelope: Record<string, unknown>;
    try {
      envelope = asRecord(parseJsonLossless(text));
    } catch {
      envelope = {};
    }
    const requestId = typeof envelope.request_id === 'string' || typeof envelope.request_id === 'number' ? String(envelope.request_id) : null;
    if (typeof envelope.code !== 'number') {
      // A 2xx without an envelope (a proxy page, a cut-off body): as good as no answer.
      return { cls: classifyNoAnswer(true, spec.op), sent: true, code: null, requestId, detail: 'answer is not a TikTok envelope', sentAt };
    }
    const code = envelope.code;
    const message = typeof envelope.message === 'string' ? envelope.message.slice(0, 200) : undefined;
    return { cls: classifyCode(code, spec.op), sent: true, code, requestId, data: asRecord(envelope.data), detail: message, sentAt };
  }

  /** The one log line and the metrics of a request. Never a token, a secret or an auth code. */
  private record(spec: CallSpec, r: Attempt, attempt: number, durationMs: number): void {
    this.metrics?.tiktokCalls.inc({ endpoint: spec.endpoint, class: r.cls });
    this.metrics?.tiktokDuration.observe({ endpoint: spec.endpoint }, durationMs / 1000);
    const line = {
      msg: 'tiktok call',
      endpoint: spec.endpoint,
      open_id: spec.auth?.openId ?? null,
      code: r.code,
      http_status: r.httpStatus ?? null,
      class: r.cls,
      duration_ms: durationMs,
      request_id: r.requestId,
      attempt,
      ...(r.cls !== 'ok' && r.detail !== undefined ? { detail: this.scrub(r.detail, spec) } : {}),
    };
    // every call at debug; failures above it. A rate-limited answer is retried or waited for
    // (the sync logs its wait at info): expected, not a warning
    if (r.cls === 'ok' || r.cls === 'rate-limited') this.log.debug(line);
    // a refused optional field is an answer the caller handles (drops it, calls again), not our bug
    else if (r.cls === 'invalid' && r.code !== FIELD_NOT_AUTHORISED) this.log.error(line);
    else this.log.warn(line);
  }

  private mapped<T>(endpoint: string, answer: Answer, map: (data: Record<string, unknown>) => T): T {
    try {
      return map(answer.data);
    } catch (err: unknown) {
      if (!(err instanceof TikTokShapeError)) throw err;
      this.log.error({ msg: 'tiktok answer has an unexpected shape', endpoint, request_id: answer.requestId, detail: err.message });
      throw new TikTokError({ kind: 'invalid', endpoint, code: 0, requestId: answer.requestId, detail: err.message });
    }
  }

  /** A call we refuse to send (it would be a bug): no budget is spent. */
  private refuse(endpoint: string, detail: string): TikTokError {
    return new TikTokError({ kind: 'invalid', endpoint, detail });
  }

  /** Removes the call's secrets, the app secret and anything token-shaped from text that will be logged or thrown. */
  private scrub(text: string, spec: CallSpec): string {
    let out = text;
    for (const s of [...spec.secrets, this.settings.clientSecret]) if (s.length >= 4) out = out.split(s).join('[redacted]');
    return out.replace(TOKEN_RE, '[redacted]');
  }

  private checkText(endpoint: string, text: string): void {
    const length = [...text].length;
    const max = this.settings.textLimit ?? 1200; // TikTok's limit since 2026-08-07
    if (text.trim() === '' || length > max) throw this.refuse(endpoint, `text must be 1–${max} characters`);
  }
}

/** The `fields` of a video call: `item_id` always, never a field TikTok refused on this account. */
function videoFields(fields: TikTokVideoField[] | undefined, auth: TikTokAuth): TikTokVideoField[] {
  const unavailable = auth.unavailableFields ?? [];
  const list = (fields ?? DEFAULT_VIDEO_FIELDS).filter((f) => !unavailable.includes(f));
  return list.includes('item_id') ? list : ['item_id', ...list];
}

/** The `fields` a call asked for (empty when it asked for none). */
function requestedFields(spec: CallSpec): string[] {
  const f = spec.query?.fields;
  return Array.isArray(f) ? f.filter((x): x is string => typeof x === 'string') : [];
}

function causeCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}


