import { isDecimalId, newNumericId, newOpenId, randomToken, stableHash } from './ids';
import { SlidingWindowLimiter } from './rate-limiter';
import { WebhookDelivery, WebhookDispatcher } from './webhook-dispatcher';

/** Every scope the simulated app may ask for. */
export const ALL_SCOPES = [
  'user.info.basic',
  'user.info.username',
  'video.list',
  'comment.list',
  'comment.list.manage',
] as const;

/** A simulated TikTok account. */
export interface SimAccount {
  openId: string;
  /** null: `business/get/` leaves `username` out even when asked for. */
  username: string | null;
  displayName: string;
  profileImage: string;
  followersCount: number;
  /** Scopes of the live grant for the app, or null when not (or no longer) authorized. */
  grantedScopes: string[] | null;
}

/** A simulated video (post). */
export interface SimVideo {
  itemId: string;
  openId: string;
  caption: string;
  /** Unix seconds. */
  createTime: number;
  /** Millisecond timestamp used for the video cursor; unique per account. */
  createTimeMs: number;
  shareUrl: string;
  embedUrl: string;
  thumbnailUrl: string;
  likes: number;
  deleted: boolean;
  /**
   * false: an unlisted post (e.g. "only people with the link"): missing from plain `video/list`
   * pages, found by a `filters.video_ids` lookup.
   */
  listed: boolean;
  /** `is_ad` (the post is promoted); absent: TikTok does not say, and `is_ad` is left out of the item. */
  isAd?: boolean;
}

/** A simulated comment or reply. */
export interface SimComment {
  commentId: string;
  videoId: string;
  /** The account that owns the video. */
  openId: string;
  text: string;
  /** Unix seconds. */
  createTime: number;
  username: string;
  displayName: string;
  profileImage: string;
  uniqueIdentifier: string;
  /** Written by the account itself. */
  owner: boolean;
  /** Thread root for replies. */
  parentCommentId?: string;
  status: 'PUBLIC' | 'HIDDEN';
  deleted: boolean;
  likes: number;
  pinned: boolean;
  /** Insertion order; breaks create_time ties. */
  seq: number;
}

/** An issued access token. */
export interface SimAccessToken {
  token: string;
  openId: string;
  scopes: string[];
  expiresAt: number;
  revoked: boolean;
}

/** An issued refresh token. */
export interface SimRefreshToken {
  token: string;
  openId: string;
  scopes: string[];
  expiresAt: number;
  revoked: boolean;
  /** Set once it has been exchanged: it rotates, so it is single use. */
  used: boolean;
}

/** An auth code from the authorize page. */
export interface SimAuthCode {
  code: string;
  openId: string;
  scopes: string[];
  redirectUri: string;
  expiresAt: number;
  used: boolean;
}

/** What the authorize page does with the next visits. */
export interface AuthorizeDecision {
  mode: 'approve' | 'deny' | 'manual';
  /** Account that approves (default: the first account). */
  openId?: string;
  /** Scopes granted on approve (default: all requested); intersected with the request. */
  grantScopes?: string[];
}

/** A request the simulator received. */
/** What the simulator keeps across a restart (`SimulatorControl.exportState`). */
export interface SimulatorState {
  version: 1;
  /** Simulator clock (ms) when taken. */
  savedAt: number;
  /** The last comment's insertion number. */
  seq: number;
  accounts: SimAccount[];
  videos: SimVideo[];
  /** In insertion order. */
  comments: SimComment[];
  accessTokens: SimAccessToken[];
  refreshTokens: SimRefreshToken[];
  authCodes: SimAuthCode[];
  shortLinks: ShortLink[];
  subscription: { eventType: string; callbackUrl: string; source?: 'api' | 'control' } | null;
}

export interface RecordedCall {
  at: number;
  method: string;
  /** Relative to `/open_api/v1.3/` for API calls (e.g. 'business/comment/list/'), else the full pathname. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
  /** TikTok code answered, or the HTTP status for HTTP-level answers; undefined while hung. */
  code?: number;
}

/** A recorded `tt_user/oauth2/revoke/` call. */
export interface RevokeCall {
  at: number;
  openId: string;
  accessToken: string;
}

/** A short link served at `{origin}/__short/{host}{path}`. */
export interface ShortLink {
  host: 'vm.tiktok.com' | 'vt.tiktok.com' | 'www.tiktok.com';
  path: string;
  location: string;
  status?: 301 | 302;
}

interface FailRule {
  path?: string;
  remaining: number;
  code?: number;
  httpStatus?: number;
}

interface HangRule {
  path?: string;
  remaining: number;
  afterEffect: boolean;
}

/** Settings the control needs from the simulator. */
export interface ControlSettings {
  clientKey: string;
  clientSecret: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  authCodeTtlSeconds: number;
  now: () => number;
  webhooks: WebhookDispatcher;
}

const CDN = 'https://p16-sandbox.tiktokcdn.com';

/**
 * In-memory state of the simulated TikTok, plus the knobs tests turn
 * (fault injection, token expiry, authorize decisions) and read-back helpers.
 */
export class SimulatorControl {
  /** @internal */ readonly accounts = new Map<string, SimAccount>();
  /** @internal */ readonly videos = new Map<string, SimVideo>();
  /** @internal */ readonly comments = new Map<string, SimComment>();
  /** @internal Comments and replies by video, in insertion order (comments are never removed, only marked deleted). */
  readonly commentsByVideo = new Map<string, SimComment[]>();
  /** @internal Replies by thread root, in insertion order. */
  readonly repliesByParent = new Map<string, SimComment[]>();
  /** @internal */ readonly accessTokens = new Map<string, SimAccessToken>();
  /** @internal */ readonly refreshTokens = new Map<string, SimRefreshToken>();
  /** @internal */ readonly authCodes = new Map<string, SimAuthCode>();
  /** @internal */ readonly shortLinks = new Map<string, ShortLink>();
  /** @internal */ readonly limiter = new SlidingWindowLimiter();
  /** @internal */ subscription: { eventType: string; callbackUrl: string } | null = null;
  /** @internal Who set the subscription: the app through `business/webhook/update/`, or the control. */
  subscriptionSource: 'api' | 'control' = 'control';
  /**
   * TikTok's deep-paging quirk (TIKTOK-API.md: "past about 500, duplicates appear"): in a
   * `comment/list` listing, from offset `from` on, every `every`-th position repeats the item
   * before it, so the item that belonged there is skipped in that sort order. Deterministic, so a
   * repeated read gives the same page. null turns it off.
   */
  deepPaging: { from: number; every: number } | null = { from: 500, every: 10 };
  private readonly recorded: RecordedCall[] = [];
  private readonly revokes: RevokeCall[] = [];
  private readonly failRules: FailRule[] = [];
  private readonly hangRules: HangRule[] = [];
  /** Fields the app may not read, per account: asking for one answers `40130` (`denyField`). */
  private readonly deniedFields = new Map<string, Set<string>>();
  private readonly usedIds = new Set<string>();
  private decision: AuthorizeDecision = { mode: 'manual' };
  private seq = 0;
  private readonly changeListeners = new Set<() => void>();

  constructor(private readonly settings: ControlSettings) {}

  /** The simulator clock in ms. */
  now(): number {
    return this.settings.now();
  }

  /** Creates an account. */
  addAccount(input: {
    openId?: string;
    username: string | null;
    displayName?: string;
    profileImage?: string;
    followersCount?: number;
  }): SimAccount {
    const openId = input.openId ?? newOpenId();
    if (this.accounts.has(openId)) throw new Error(`account ${openId} already exists`);
    const account: SimAccount = {
      openId,
      username: input.username,
      displayName: input.displayName ?? input.username ?? 'TikTok user',
      profileImage: input.profileImage ?? `${CDN}/avatar/${stableHash(openId, 16)}.jpeg`,
      followersCount: input.followersCount ?? 1200,
      grantedScopes: null,
    };
    this.accounts.set(openId, account);
    this.changed();
    return { ...account };
  }

  /** A copy of the account, or undefined. */
  account(openId: string): SimAccount | undefined {
    const a = this.accounts.get(openId);
    return a ? { ...a, grantedScopes: a.grantedScopes ? [...a.grantedScopes] : null } : undefined;
  }

  /** All accounts in creation order. */
  listAccounts(): SimAccount[] {
    return [...this.accounts.keys()].map((id) => this.account(id) as SimAccount);
  }

  /** Creates a video on the account. */
  addVideo(
    openId: string,
    input: {
      itemId?: string;
      caption?: string;
      createTime?: number;
      shareUrl?: string;
      thumbnailUrl?: string;
      likes?: number;
      /** Default true; false: left out of plain `video/list` pages. */
      listed?: boolean;
      /** `is_ad`; absent by default (TikTok not saying). */
      isAd?: boolean;
    } = {},
  ): SimVideo {
    const account = this.requireAccount(openId);
    const itemId = this.claimId(input.itemId);
    const createTime = input.createTime ?? Math.floor(this.now() / 1000);
    // The cursor is in ms: give videos posted in the same second distinct ms so paging never skips one.
    const taken = new Set(
      [...this.videos.values()].filter((v) => v.openId === openId).map((v) => v.createTimeMs),
    );
    let createTimeMs = createTime * 1000;
    while (taken.has(createTimeMs)) createTimeMs++;
    const handle = account.username ?? 'user';
    const video: SimVideo = {
      itemId,
      openId,
      caption: input.caption ?? '',
      createTime,
      createTimeMs,
      shareUrl: input.shareUrl ?? `https://www.tiktok.com/@${handle}/video/${itemId}`,
      embedUrl: `https://www.tiktok.com/embed/v2/${itemId}`,
      thumbnailUrl: input.thumbnailUrl ?? `${CDN}/obj/${itemId}.jpeg`,
      likes: input.likes ?? 0,
      deleted: false,
      listed: input.listed ?? true,
      ...(input.isAd === undefined ? {} : { isAd: input.isAd }),
    };
    this.videos.set(itemId, video);
    this.changed();
    return { ...video };
  }

  /** A copy of the video, or undefined. Also callable as `getVideo(openId, videoId)`. */
  getVideo(videoId: string): SimVideo | undefined;
  getVideo(openId: string, videoId: string): SimVideo | undefined;
  getVideo(a: string, b?: string): SimVideo | undefined {
    const v = this.videos.get(b ?? a);
    return v && (b === undefined || v.openId === a) ? { ...v } : undefined;
  }

  /** Videos of an account (unlisted ones too: see `listed`), newest first. */
  listVideos(openId: string): SimVideo[] {
    return [...this.videos.values()]
      .filter((v) => v.openId === openId && !v.deleted)
      .sort((a, b) => b.createTimeMs - a.createTimeMs)
      .map((v) => ({ ...v }));
  }

  /**
   * From now on a call of `openId` that asks for `field` in `fields` fails whole with `40130`
   * (TIKTOK-API.md 5a: the app may not read that field). `allow` undoes it.
   */
  denyField(openId: string, field: string): void {
    this.requireAccount(openId);
    const set = this.deniedFields.get(openId) ?? new Set<string>();
    set.add(field);
    this.deniedFields.set(openId, set);
  }

  /** Undoes `denyField` (every field of the account when `field` is left out). */
  allowField(openId: string, field?: string): void {
    if (field === undefined) this.deniedFields.delete(openId);
    else this.deniedFields.get(openId)?.delete(field);
  }

  /** @internal The first of `fields` the account may not read, if any. */
  deniedFieldOf(openId: string, fields: readonly string[]): string | undefined {
    const denied = this.deniedFields.get(openId);
    return denied ? fields.find((f) => denied.has(f)) : undefined;
  }

  /**
   * Adds a comment (or a reply, with `parentCommentId`) as TikTok would see a fan
   * (or the account, with `owner: true`) write it, and schedules the `insert` webhook.
   */
  addComment(
    openId: string,
    videoId: string,
    input: {
      text: string;
      username?: string;
      displayName?: string;
      profileImage?: string;
      owner?: boolean;
      parentCommentId?: string;
      createTime?: number;
      hidden?: boolean;
      commentId?: string;
      likes?: number;
    },
  ): SimComment {
    const account = this.requireAccount(openId);
    const video = this.videos.get(videoId);
    if (!video || video.openId !== openId) throw new Error(`video ${videoId} not on ${openId}`);
    let parentCommentId: string | undefined;
    if (input.parentCommentId !== undefined) {
      const parent = this.comments.get(input.parentCommentId);
      if (!parent || parent.videoId !== videoId)
        throw new Error(`comment ${input.parentCommentId} not on video ${videoId}`);
      parentCommentId = parent.parentCommentId ?? parent.commentId;
    }
    const owner = input.owner ?? false;
    const username = owner
      ? (account.username ?? 'user')
      : (input.username ?? `fan_${stableHash(String(this.seq + 1), 8)}`);
    const comment: SimComment = {
      commentId: this.claimId(input.commentId),
      videoId,
      openId,
      text: input.text,
      createTime: input.createTime ?? Math.floor(this.now() / 1000),
      username,
      displayName: owner ? account.displayName : (input.displayName ?? username),
      profileImage: owner
        ? account.profileImage
        : (input.profileImage ?? `${CDN}/avatar/${stableHash(username, 16)}.jpeg`),
      uniqueIdentifier: stableHash(owner ? `acct:${openId}` : `user:${username}`),
      owner,
      parentCommentId,
      status: input.hidden ? 'HIDDEN' : 'PUBLIC',
      deleted: false,
      likes: input.likes ?? 0,
      pinned: false,
      seq: ++this.seq,
    };
    this.comments.set(comment.commentId, comment);
    pushTo(this.commentsByVideo, videoId, comment);
    if (parentCommentId !== undefined) pushTo(this.repliesByParent, parentCommentId, comment);
    this.changed();
    this.emitCommentEvent(comment, 'insert');
    return { ...comment };
  }

  /**
   * TikTok-side moderation: hides (or with `hidden: false` unhides) a comment and
   * schedules `set_to_hidden` / `set_to_public`. Also callable as
   * `hideComment(openId, videoId, commentId, hidden?)`.
   */
  hideComment(commentId: string, hidden?: boolean): void;
  hideComment(openId: string, videoId: string, commentId: string, hidden?: boolean): void;
  hideComment(a: string, b?: boolean | string, c?: string, d?: boolean): void {
    const [commentId, hidden] = typeof b === 'string' ? [c ?? '', d ?? true] : [a, b ?? true];
    this.setHidden(this.requireComment(commentId), hidden);
  }

  /**
   * TikTok-side deletion of any comment (e.g. the fan deleted it); schedules
   * `delete`. Also callable as `deleteComment(openId, videoId, commentId)`.
   */
  deleteComment(commentId: string): void;
  deleteComment(openId: string, videoId: string, commentId: string): void;
  deleteComment(a: string, _videoId?: string, c?: string): void {
    this.markDeleted(this.requireComment(c ?? a));
  }

  /** Comments and replies of a video, newest first. */
  getComments(
    openId: string,
    videoId: string,
    opts: { includeDeleted?: boolean } = {},
  ): SimComment[] {
    return (this.commentsByVideo.get(videoId) ?? [])
      .filter((c) => c.openId === openId)
      .filter((c) => opts.includeDeleted || !c.deleted)
      .sort(newestFirst)
      .map((c) => ({ ...c }));
  }

  /** A copy of one comment (deleted ones too), or undefined. */
  getComment(commentId: string): SimComment | undefined {
    const c = this.comments.get(commentId);
    return c ? { ...c } : undefined;
  }

  /** Sets what the authorize page does. */
  setAuthorizeDecision(decision: AuthorizeDecision): void {
    this.decision = { ...decision, grantScopes: decision.grantScopes && [...decision.grantScopes] };
  }

  /** @internal */
  authorizeDecision(): AuthorizeDecision {
    return this.decision;
  }

  /** The next matching API request(s) fail with a TikTok `code` (default 50000) or an HTTP status. */
  failNext(opts: { path?: string; count?: number; code?: number; httpStatus?: number } = {}): void {
    this.failRules.push({
      path: normalizePath(opts.path),
      remaining: opts.count ?? 1,
      code: opts.code,
      httpStatus: opts.httpStatus,
    });
  }

  /** Drops every pending `failNext` rule (TikTok is healthy again). */
  clearFailures(): void {
    this.failRules.length = 0;
  }

  /**
   * The next matching API request(s) are never answered (until close). With
   * `afterEffect`, the request's effect is applied first.
   */
  hangNext(opts: { path?: string; count?: number; afterEffect?: boolean } = {}): void {
    this.hangRules.push({
      path: normalizePath(opts.path),
      remaining: opts.count ?? 1,
      afterEffect: opts.afterEffect ?? false,
    });
  }

  /** @internal Consumes a matching fail rule. */
  takeFailRule(path: string): FailRule | undefined {
    return take(this.failRules, path);
  }

  /** @internal Consumes a matching hang rule. */
  takeHangRule(path: string): HangRule | undefined {
    return take(this.hangRules, path);
  }

  /** Makes every access token of the account expired. */
  expireAccessTokens(openId: string): void {
    const past = this.now() - 1;
    for (const t of this.accessTokens.values()) if (t.openId === openId) t.expiresAt = past;
    this.changed();
  }

  /** Makes every refresh token of the account expired. */
  expireRefreshTokens(openId: string): void {
    const past = this.now() - 1;
    for (const t of this.refreshTokens.values()) if (t.openId === openId) t.expiresAt = past;
    this.changed();
  }

  /** As if the user removed the app: every token of the account is revoked and webhooks stop. */
  revokeGrants(openId: string): void {
    for (const t of this.accessTokens.values()) if (t.openId === openId) t.revoked = true;
    for (const t of this.refreshTokens.values()) if (t.openId === openId) t.revoked = true;
    const account = this.accounts.get(openId);
    if (account) account.grantedScopes = null;
    this.changed();
  }

  /** Every request received, optionally only those for one path. */
  calls(filter: { path?: string } = {}): RecordedCall[] {
    const path = normalizePath(filter.path);
    return this.recorded.filter((c) => path === undefined || c.path === path);
  }

  /** Forgets recorded calls. */
  resetCalls(): void {
    this.recorded.length = 0;
  }

  /** @internal */
  record(call: RecordedCall): void {
    this.recorded.push(call);
  }

  /** Every `tt_user/oauth2/revoke/` call that revoked a grant. */
  revokeCalls(): RevokeCall[] {
    return [...this.revokes];
  }

  /** Serves a short link at `{origin}/__short/{host}{path}`. */
  addShortLink(link: ShortLink): void {
    const path = link.path.startsWith('/') ? link.path : `/${link.path}`;
    this.shortLinks.set(shortKey(link.host, path), { ...link, path });
    this.changed();
  }

  /** @internal */
  findShortLink(host: string, path: string): ShortLink | undefined {
    const alt = path.endsWith('/') ? path.slice(0, -1) : `${path}/`;
    return this.shortLinks.get(shortKey(host, path)) ?? this.shortLinks.get(shortKey(host, alt));
  }

  /** Webhook deliveries so far (each duplicate copy separately). */
  deliveries(): WebhookDelivery[] {
    return this.settings.webhooks.deliveries();
  }

  /** Resolves once every scheduled delivery (and its retries) is done. */
  flushWebhooks(): Promise<void> {
    return this.settings.webhooks.flush();
  }

  /** The current comment webhook subscription, if any. */
  webhookSubscription(): { eventType: string; callbackUrl: string } | null {
    return this.subscription ? { ...this.subscription } : null;
  }

  /** Sets (or with null removes) the comment webhook subscription, as `business/webhook/update/` would. */
  setWebhookSubscription(callbackUrl: string | null): void {
    this.subscription = callbackUrl === null ? null : { eventType: 'COMMENT', callbackUrl };
    this.subscriptionSource = 'control';
    this.changed();
  }

  /** Forgets the rate-limit history. */
  resetRateLimits(): void {
    this.limiter.reset();
  }

  /**
   * Grants the app `scopes` (default: all) on the account without the browser
   * flow and returns a fresh token pair, as the token endpoint would.
   */
  grantTokens(
    openId: string,
    scopes: readonly string[] = ALL_SCOPES,
  ): { accessToken: string; refreshToken: string; openId: string; scopes: string[] } {
    this.requireAccount(openId);
    const { access, refresh } = this.issueTokens(openId, [...scopes]);
    return { accessToken: access.token, refreshToken: refresh.token, openId, scopes: [...scopes] };
  }

  // ---- internal operations used by the HTTP side ----

  /** @internal */
  issueAuthCode(openId: string, scopes: string[], redirectUri: string): string {
    const code = randomToken(24);
    this.authCodes.set(code, {
      code,
      openId,
      scopes: [...scopes],
      redirectUri,
      expiresAt: this.now() + this.settings.authCodeTtlSeconds * 1000,
      used: false,
    });
    this.changed();
    return code;
  }

  /** @internal Issues a token pair; `refreshExpiresAt` carries the remaining lifetime on refresh. */
  issueTokens(
    openId: string,
    scopes: string[],
    refreshExpiresAt?: number,
  ): { access: SimAccessToken; refresh: SimRefreshToken } {
    const now = this.now();
    const access: SimAccessToken = {
      token: `act.${randomToken(32)}`,
      openId,
      scopes: [...scopes],
      expiresAt: now + this.settings.accessTokenTtlSeconds * 1000,
      revoked: false,
    };
    const refresh: SimRefreshToken = {
      token: `rft.${randomToken(32)}`,
      openId,
      scopes: [...scopes],
      expiresAt: refreshExpiresAt ?? now + this.settings.refreshTokenTtlSeconds * 1000,
      revoked: false,
      used: false,
    };
    this.accessTokens.set(access.token, access);
    this.refreshTokens.set(refresh.token, refresh);
    const account = this.accounts.get(openId);
    if (account) account.grantedScopes = [...scopes];
    this.changed();
    return { access, refresh };
  }

  /** @internal */
  recordRevoke(openId: string, accessToken: string): void {
    this.revokes.push({ at: this.now(), openId, accessToken });
    this.revokeGrants(openId);
  }

  /** @internal */
  setHidden(c: SimComment, hidden: boolean): void {
    const status = hidden ? 'HIDDEN' : 'PUBLIC';
    if (c.status === status) return;
    c.status = status;
    this.changed();
    this.emitCommentEvent(c, hidden ? 'set_to_hidden' : 'set_to_public');
  }

  /** @internal */
  markDeleted(c: SimComment): void {
    if (c.deleted) return;
    c.deleted = true;
    this.changed();
    this.emitCommentEvent(c, 'delete');
  }

  /**
   * Calls `listener` after every change of the state that `exportState` returns (the persistent
   * store saves then). Returns a function that removes it.
   */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** @internal Tells the listeners that the state changed (routes that change a record in place call it). */
  changed(): void {
    for (const listener of this.changeListeners) listener();
  }

  /**
   * The state worth keeping across a restart: accounts, videos, comments, tokens, live auth codes,
   * short links and the webhook subscription. Left out: recorded calls, fault rules, rate-limit
   * history and the authorize decision (test knobs), spent refresh tokens and spent or expired
   * auth codes (an unknown one gets the same answer). Expired access tokens stay: TikTok answers
   * them "expired" (refresh), not "invalid" (reconnect).
   */
  exportState(): SimulatorState {
    const now = this.now();
    return {
      version: 1,
      savedAt: now,
      seq: this.seq,
      accounts: [...this.accounts.values()].map((a) => ({
        ...a,
        grantedScopes: a.grantedScopes ? [...a.grantedScopes] : null,
      })),
      videos: [...this.videos.values()].map((v) => ({ ...v })),
      comments: [...this.comments.values()].map((c) => ({ ...c })),
      accessTokens: [...this.accessTokens.values()].map((t) => ({ ...t, scopes: [...t.scopes] })),
      refreshTokens: [...this.refreshTokens.values()]
        .filter((t) => !t.used)
        .map((t) => ({ ...t, scopes: [...t.scopes] })),
      authCodes: [...this.authCodes.values()]
        .filter((c) => !c.used && c.expiresAt > now)
        .map((c) => ({ ...c, scopes: [...c.scopes] })),
      shortLinks: [...this.shortLinks.values()].map((l) => ({ ...l })),
      subscription: this.subscription
        ? { ...this.subscription, source: this.subscriptionSource }
        : null,
    };
  }

  /** Replaces the whole state with a saved one (before the simulator serves anything). */
  importState(state: SimulatorState): void {
    this.accounts.clear();
    this.videos.clear();
    this.comments.clear();
    this.commentsByVideo.clear();
    this.repliesByParent.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.authCodes.clear();
    this.shortLinks.clear();
    this.usedIds.clear();
    for (const a of state.accounts) this.accounts.set(a.openId, { ...a });
    for (const v of state.videos) {
      this.videos.set(v.itemId, { ...v });
      this.usedIds.add(v.itemId);
    }
    // In insertion order (seq), so the per-video and per-thread lists keep theirs.
    for (const saved of [...state.comments].sort((a, b) => a.seq - b.seq)) {
      const c = { ...saved };
      this.comments.set(c.commentId, c);
      this.usedIds.add(c.commentId);
      pushTo(this.commentsByVideo, c.videoId, c);
      if (c.parentCommentId !== undefined) pushTo(this.repliesByParent, c.parentCommentId, c);
    }
    for (const t of state.accessTokens) this.accessTokens.set(t.token, { ...t });
    for (const t of state.refreshTokens) this.refreshTokens.set(t.token, { ...t });
    for (const c of state.authCodes) this.authCodes.set(c.code, { ...c });
    for (const l of state.shortLinks) this.shortLinks.set(shortKey(l.host, l.path), { ...l });
    const sub = state.subscription;
    this.subscription = sub ? { eventType: sub.eventType, callbackUrl: sub.callbackUrl } : null;
    this.subscriptionSource = sub?.source ?? 'control';
    this.seq = state.comments.reduce((max, c) => Math.max(max, c.seq), state.seq);
  }

  private emitCommentEvent(c: SimComment, action: string): void {
    const sub = this.subscription;
    const account = this.accounts.get(c.openId);
    if (!sub || !account?.grantedScopes?.includes('comment.list')) return;
    const createTime = Math.floor(this.now() / 1000);
    // Ids are written as JSON number literals straight from their decimal strings: a 19-digit id
    // must never pass through a JS number.
    const parts = [`"comment_id":${c.commentId}`, `"video_id":${c.videoId}`];
    if (c.parentCommentId) parts.push(`"parent_comment_id":${c.parentCommentId}`);
    parts.push(
      `"comment_type":${JSON.stringify(c.parentCommentId ? 'reply' : 'comment')}`,
      `"comment_action":${JSON.stringify(action)}`,
      `"timestamp":${createTime}`,
      `"unique_identifier":${JSON.stringify(c.uniqueIdentifier)}`,
      `"text":${JSON.stringify(c.text)}`,
    );
    const content = `{${parts.join(',')}}`;
    const body = JSON.stringify({
      client_key: this.settings.clientKey,
      event: 'comment.update',
      create_time: createTime,
      user_openid: c.openId,
      content,
    });
    this.settings.webhooks.enqueue(sub.callbackUrl, body, 'comment.update', c.openId);
  }

  private requireAccount(openId: string): SimAccount {
    const a = this.accounts.get(openId);
    if (!a) throw new Error(`unknown account ${openId}`);
    return a;
  }

  private requireComment(commentId: string): SimComment {
    const c = this.comments.get(commentId);
    if (!c) throw new Error(`unknown comment ${commentId}`);
    return c;
  }

  private claimId(wanted?: string): string {
    if (wanted !== undefined) {
      if (!isDecimalId(wanted)) throw new Error(`id must be decimal digits: ${wanted}`);
      if (this.usedIds.has(wanted)) throw new Error(`id already used: ${wanted}`);
      this.usedIds.add(wanted);
      return wanted;
    }
    let id = newNumericId();
    while (this.usedIds.has(id)) id = newNumericId();
    this.usedIds.add(id);
    return id;
  }
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Sort order for comments: create_time desc, then insertion order desc. */
export function newestFirst(a: SimComment, b: SimComment): number {
  return b.createTime - a.createTime || b.seq - a.seq;
}

/** Accepts 'business/x/' as well as '/business/x/' or '/open_api/v1.3/business/x/'. */
function normalizePath(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  const stripped = path.replace(/^\/open_api\/v1\.3\//, '');
  return /^\/(business|tt_user)\//.test(stripped) ? stripped.slice(1) : stripped;
}

function shortKey(host: string, path: string): string {
  return `${host.toLowerCase()}${path}`;
}

function take<T extends { path?: string; remaining: number }>(
  rules: T[],
  path: string,
): T | undefined {
  const i = rules.findIndex((r) => r.path === undefined || r.path === path);
  if (i < 0) return undefined;
  const rule = rules[i];
  rule.remaining--;
  if (rule.remaining <= 0) rules.splice(i, 1);
  return rule;
}
