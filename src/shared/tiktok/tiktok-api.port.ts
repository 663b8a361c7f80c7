/**
 * The TikTok Accounts API as the product needs it. Feature modules inject `TIKTOK_API` and
 * depend on this interface only. Every method either returns mapped data or throws a
 * `TikTokError` with a `kind` (see tiktok-error.ts). Ids are always strings.
 */
export const TIKTOK_API = Symbol('TIKTOK_API');

/** Credentials of one connected TikTok account; `openId` is TikTok's `business_id`. */
export interface TikTokAuth {
  accessToken: string;
  openId: string;
  /**
   * Fields TikTok refused to this app for this account (`40130`): the client leaves them out of
   * every request. Optional fields only (`OPTIONAL_VIDEO_FIELDS`).
   */
  unavailableFields?: readonly string[];
}

/** Per-call options. */
export interface TikTokCallOptions {
  /**
   * Longest time to wait for a rate-budget slot (across retries) before failing with
   * `rate-limited`. Default: the client's `maxWaitMs`.
   */
  maxWaitMs?: number;
  /**
   * `background` (the sync saga): may use only the lower part of each budget (`BACKGROUND_SHARE`),
   * so that calls someone is waiting for (a webhook's lookup, a reply, add by URL) always find
   * the top of the budget free, however busy the account's polls are. Default `interactive`.
   */
  priority?: 'interactive' | 'background';
}

/** A token pair; the expiry times come from TikTok's `expires_in` fields of this answer. */
export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  openId: string;
  scopes: string[];
  accessExpiresAt: Date;
  refreshExpiresAt: Date;
}

/** Fields `business/get/` can return. */
export type TikTokAccountField =
  | 'username'
  | 'display_name'
  | 'profile_image'
  | 'is_business_account'
  | 'followers_count';

/** The connected account's profile; fields not asked for (or withheld) are null. */
export interface TikTokAccountInfo {
  username: string | null;
  displayName: string | null;
  profileImage: string | null;
  isBusinessAccount: boolean | null;
  followersCount: number | null;
}

/** Fields `business/video/list/` can return (`item_id` is always asked for). */
export type TikTokVideoField =
  | 'item_id'
  | 'create_time'
  | 'thumbnail_url'
  | 'share_url'
  | 'embed_url'
  | 'caption'
  | 'likes'
  | 'comments'
  | 'shares'
  | 'video_views'
  | 'reach'
  | 'is_ad';

/**
 * Video fields asked for by default that the product can do without: TikTok may refuse them to
 * an app (`40130`, the whole call fails), and then the call is made again without them. In the
 * order they are given up (`is_ad` first).
 */
export const OPTIONAL_VIDEO_FIELDS: readonly TikTokVideoField[] = ['is_ad'];

/** A video; every field but `itemId` is present only when asked for in `fields`. */
export interface TikTokVideo {
  /** `item_id`, the same value as `video_id` on the comment endpoints. */
  itemId: string;
  createTime?: Date;
  caption?: string;
  shareUrl?: string;
  embedUrl?: string;
  thumbnailUrl?: string;
  likes?: number;
  comments?: number;
  shares?: number;
  views?: number;
  reach?: number;
  /** `is_ad`: the post is promoted; absent when TikTok did not say (or was not asked). */
  isAd?: boolean;
}

/** One page of a list. Pages can be short while `hasMore` is true. */
export interface TikTokPage<T> {
  items: T[];
  /** Pass back as `cursor` for the next page (videos: a ms timestamp; comments: an offset). */
  cursor: number;
  hasMore: boolean;
}

/** A comment or a reply. */
export interface TikTokComment {
  commentId: string;
  videoId: string;
  /** Set on replies: the thread's top-level comment. */
  parentCommentId: string | null;
  text: string;
  createTime: Date;
  likes: number;
  replies: number;
  /** Written by the connected account itself (skip our own replies). */
  owner: boolean;
  status: 'PUBLIC' | 'HIDDEN';
  username: string;
  displayName: string;
  profileImage: string | null;
  /** Identifies the commenter. */
  uniqueIdentifier: string | null;
  /** With `includeReplies`: up to 3 replies. */
  replyList?: TikTokComment[];
}

/** What a reply or top-level comment create answers. */
export interface TikTokCreatedComment {
  commentId: string;
  videoId: string;
  createTime: Date;
  text: string;
}

/** The app's comment webhook subscription. */
export interface TikTokWebhookSubscription {
  eventType: 'COMMENT';
  callbackUrl: string;
}

/** Options of `listVideos`. */
export interface ListVideosInput {
  cursor?: number;
  /** 1–20, default 20. */
  maxCount?: number;
  /** Default: item_id, create_time, caption, share_url, embed_url, thumbnail_url, likes, comments, is_ad (less `auth.unavailableFields`). */
  fields?: TikTokVideoField[];
}

/** Options of `listComments`. */
export interface ListCommentsInput {
  videoId: string;
  cursor?: number;
  /** 1–30, default 30. */
  maxCount?: number;
  /** Adds up to 3 replies per comment as `replyList`. */
  includeReplies?: boolean;
  /** Default `ALL` (hidden ones too). */
  status?: 'PUBLIC' | 'ALL';
  sortField?: 'create_time' | 'likes' | 'replies';
  sortOrder?: 'asc' | 'desc' | 'smart';
  /** At most 30. */
  commentIds?: string[];
}

/** Options of `listReplies`. */
export interface ListRepliesInput {
  videoId: string;
  commentId: string;
  cursor?: number;
  /** 1–30, default 30. */
  maxCount?: number;
}

/** The port. */
export interface TikTokApi {
  /** `tt_user/oauth2/token/`: trades a one-time auth code. Never retried once sent. */
  exchangeCode(input: { code: string; redirectUri: string }): Promise<TokenSet>;
  /** `tt_user/oauth2/refresh_token/`: the answer carries a new refresh token; store it. Never retried once sent. */
  refresh(input: { refreshToken: string }): Promise<TokenSet>;
  /** `tt_user/oauth2/revoke/`. */
  revoke(input: { accessToken: string }): Promise<void>;

  /** `business/get/`; a missing `username` is null, not an error. */
  getAccount(auth: TikTokAuth, input?: { fields?: TikTokAccountField[] }, opts?: TikTokCallOptions): Promise<TikTokAccountInfo>;

  /** `business/video/list/`, newest first. */
  listVideos(auth: TikTokAuth, input?: ListVideosInput, opts?: TikTokCallOptions): Promise<TikTokPage<TikTokVideo>>;
  /** `business/video/list/` with `filters={"video_ids":[…]}` (at most 20); absent ids are not the account's. */
  getVideosByIds(auth: TikTokAuth, ids: string[], opts?: TikTokCallOptions & { fields?: TikTokVideoField[] }): Promise<TikTokVideo[]>;

  /** `business/comment/list/`: top-level comments (or, with `commentIds`, those comments). */
  listComments(auth: TikTokAuth, input: ListCommentsInput, opts?: TikTokCallOptions): Promise<TikTokPage<TikTokComment>>;
  /** `business/comment/reply/list/`: replies under one comment. */
  listReplies(auth: TikTokAuth, input: ListRepliesInput, opts?: TikTokCallOptions): Promise<TikTokPage<TikTokComment>>;
  /** `business/comment/list/` with `comment_ids` (at most 30); gone ones are simply absent. */
  getCommentsByIds(auth: TikTokAuth, videoId: string, ids: string[], opts?: TikTokCallOptions): Promise<TikTokComment[]>;

  /** `business/comment/reply/create/` (text ≤150 chars). Never retried once sent: on `transient-unknown`, read back. */
  createReply(auth: TikTokAuth, input: { videoId: string; commentId: string; text: string }, opts?: TikTokCallOptions): Promise<TikTokCreatedComment>;
  /** `business/comment/create/` (text ≤150 chars). Never retried once sent. */
  createComment(auth: TikTokAuth, input: { videoId: string; text: string }, opts?: TikTokCallOptions): Promise<TikTokCreatedComment>;
  /** `business/comment/hide/` with HIDE or UNHIDE. */
  hideComment(auth: TikTokAuth, input: { videoId: string; commentId: string; hide: boolean }, opts?: TikTokCallOptions): Promise<void>;
  /** `business/comment/delete/`: only the account's own comments. */
  deleteComment(auth: TikTokAuth, input: { commentId: string }, opts?: TikTokCallOptions): Promise<void>;

  /** `business/webhook/update/` (app credentials, no Access-Token). */
  updateWebhook(input: { callbackUrl: string; eventType: 'COMMENT' }, opts?: TikTokCallOptions): Promise<TikTokWebhookSubscription>;
  /** `business/webhook/list/`; empty when nothing is subscribed. */
  listWebhooks(input: { eventType: 'COMMENT' }, opts?: TikTokCallOptions): Promise<TikTokWebhookSubscription[]>;
}
