import type {
  TikTokAccountInfo,
  TikTokComment,
  TikTokCreatedComment,
  TikTokPage,
  TikTokVideo,
  TikTokWebhookSubscription,
  TokenSet,
} from './tiktok-api.port';

/** TikTok answered with a `data` shape we cannot read. */
export class TikTokShapeError extends Error {}

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The `data` object of an envelope (an absent or odd one reads as empty). */
export function asRecord(v: unknown): Json {
  return isRecord(v) ? v : {};
}

/**
 * An id as a string. Numbers are accepted only when exact: the lossless parser already turned
 * every 16+ digit integer into a string, so a number here is small enough to be exact.
 */
export function toId(v: unknown, field: string): string {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  throw new TikTokShapeError(`${field} is not an id`);
}

function optId(v: unknown, field: string): string | null {
  return v === undefined || v === null || v === '' ? null : toId(v, field);
}

function num(v: unknown, fallback: number): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return fallback;
}

function optNum(v: unknown): number | undefined {
  const n = num(v, Number.NaN);
  return Number.isNaN(n) ? undefined : n;
}

function str(v: unknown, fallback = ''): string {
  return typeof v === 'string' ? v : fallback;
}

function optStr(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** Unix seconds, as a string (list answers) or a number (create answers). */
export function unixSeconds(v: unknown, field: string): Date {
  const n = num(v, Number.NaN);
  if (!Number.isFinite(n)) throw new TikTokShapeError(`${field} is not a unix time`);
  return new Date(n * 1000);
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** Maps a token answer; expiry is counted from `sentAt`, when the request left (the earlier, safe end). */
export function mapTokenSet(data: Json, sentAt: number): TokenSet {
  const accessToken = str(data.access_token);
  const refreshToken = str(data.refresh_token);
  const expiresIn = optNum(data.expires_in);
  const refreshExpiresIn = optNum(data.refresh_token_expires_in);
  if (!accessToken || !refreshToken || expiresIn === undefined || refreshExpiresIn === undefined) {
    throw new TikTokShapeError('token answer lacks a token or an expiry');
  }
  return {
    accessToken,
    refreshToken,
    openId: toId(data.open_id, 'open_id'),
    scopes: str(data.scope)
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    accessExpiresAt: new Date(sentAt + expiresIn * 1000),
    refreshExpiresAt: new Date(sentAt + refreshExpiresIn * 1000),
  };
}

/** Maps `business/get/`; fields not returned are null. */
export function mapAccount(data: Json): TikTokAccountInfo {
  return {
    username: optStr(data.username),
    displayName: optStr(data.display_name),
    profileImage: optStr(data.profile_image),
    isBusinessAccount: typeof data.is_business_account === 'boolean' ? data.is_business_account : null,
    followersCount: optNum(data.followers_count) ?? null,
  };
}

/** Maps one video; only the fields present are set. */
export function mapVideo(v: unknown): TikTokVideo {
  const r = asRecord(v);
  const video: TikTokVideo = { itemId: toId(r.item_id, 'item_id') };
  if (r.create_time !== undefined) video.createTime = unixSeconds(r.create_time, 'create_time');
  if (typeof r.caption === 'string') video.caption = r.caption;
  if (typeof r.share_url === 'string') video.shareUrl = r.share_url;
  if (typeof r.embed_url === 'string') video.embedUrl = r.embed_url;
  if (typeof r.thumbnail_url === 'string') video.thumbnailUrl = r.thumbnail_url;
  // Only a real boolean counts: anything else is TikTok not saying.
  if (typeof r.is_ad === 'boolean') video.isAd = r.is_ad;
  const counts: [keyof TikTokVideo, unknown][] = [
    ['likes', r.likes],
    ['comments', r.comments],
    ['shares', r.shares],
    ['views', r.video_views],
    ['reach', r.reach],
  ];
  for (const [k, raw] of counts) {
    const n = optNum(raw);
    if (n !== undefined) (video as unknown as Record<string, number>)[k] = n;
  }
  return video;
}

/** Maps a `{videos, cursor, has_more}` page. */
export function mapVideoPage(data: Json): TikTokPage<TikTokVideo> {
  return { items: list(data.videos).map(mapVideo), cursor: num(data.cursor, 0), hasMore: data.has_more === true };
}

/**
 * Maps a comment or reply. Inline replies (`reply_list`) get their parent from the comment when
 * TikTok leaves `parent_comment_id` out.
 */
export function mapComment(c: unknown, parentId: string | null = null): TikTokComment {
  const r = asRecord(c);
  const commentId = toId(r.comment_id, 'comment_id');
  const comment: TikTokComment = {
    commentId,
    videoId: toId(r.video_id, 'video_id'),
    parentCommentId: optId(r.parent_comment_id, 'parent_comment_id') ?? parentId,
    text: str(r.text),
    createTime: unixSeconds(r.create_time, 'create_time'),
    likes: num(r.likes, 0),
    replies: num(r.replies, 0),
    owner: r.owner === true,
    status: r.status === 'HIDDEN' ? 'HIDDEN' : 'PUBLIC',
    username: str(r.username),
    displayName: str(r.display_name),
    profileImage: optStr(r.profile_image),
    uniqueIdentifier: optStr(r.unique_identifier),
  };
  if (Array.isArray(r.reply_list)) comment.replyList = r.reply_list.map((x) => mapComment(x, commentId));
  return comment;
}

/** Maps a `{comments, cursor, has_more}` page. */
export function mapCommentPage(data: Json): TikTokPage<TikTokComment> {
  return {
    items: list(data.comments).map((c) => mapComment(c)),
    cursor: num(data.cursor, 0),
    hasMore: data.has_more === true,
  };
}

/** Maps a create answer (`create_time` is a number here). */
export function mapCreated(data: Json): TikTokCreatedComment {
  return {
    commentId: toId(data.comment_id, 'comment_id'),
    videoId: toId(data.video_id, 'video_id'),
    createTime: unixSeconds(data.create_time, 'create_time'),
    text: str(data.text),
  };
}

/** Maps `business/webhook/list/` (one object, or a list of them); an empty callback is "none". */
export function mapWebhooks(data: Json): TikTokWebhookSubscription[] {
  const raw = Array.isArray(data.webhooks) ? data.webhooks : Array.isArray(data.list) ? data.list : [data];
  const out: TikTokWebhookSubscription[] = [];
  for (const w of raw) {
    const r = asRecord(w);
    const callbackUrl = optStr(r.callback_url);
    if (callbackUrl !== null && (r.event_type === undefined || r.event_type === 'COMMENT')) {
      out.push({ eventType: 'COMMENT', callbackUrl });
    }
  }
  return out;
}
