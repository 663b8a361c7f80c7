import { ApiError } from './api-errors';
import { stableHash } from './ids';
import { SimComment, SimVideo, SimulatorControl, newestFirst } from './simulator-control';

/** Settings the API routes need. */
export interface RouteSettings {
  clientKey: string;
  clientSecret: string;
}

/** One request, as the routes see it. */
export interface RouteContext {
  control: SimulatorControl;
  settings: RouteSettings;
  query: Record<string, string>;
  /** Parsed JSON body for POST (undefined when absent or malformed). */
  body: unknown;
  headers: Record<string, string>;
  /** The token's account; set by the guard on `data` routes. */
  openId: string;
}

/** How a route is authenticated and limited. */
export type RouteKind = 'data' | 'webhook' | 'oauth';

/** A TikTok API route. */
export interface RouteDef {
  method: 'GET' | 'POST';
  kind: RouteKind;
  /** Scope the token needs (data routes). */
  scope?: string;
  handle(ctx: RouteContext): unknown;
}

const VIDEO_FIELDS = new Set([
  'item_id',
  'create_time',
  'thumbnail_url',
  'share_url',
  'embed_url',
  'caption',
  'likes',
  'comments',
  'shares',
  'video_views',
  'reach',
  'is_ad',
]);

const BUSINESS_FIELDS = new Set([
  'username',
  'display_name',
  'profile_image',
  'is_business_account',
  'followers_count',
  'audience_countries',
]);

// ---------- parameter parsing ----------

/** The request's parameters: query for GET, the JSON body object for POST. */
export function params(ctx: RouteContext, method: 'GET' | 'POST'): Record<string, unknown> {
  if (method === 'GET') return ctx.query;
  if (!isRecord(ctx.body)) throw new ApiError(40002, 'Request body must be a JSON object.');
  return ctx.body;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optString(p: Record<string, unknown>, name: string): string | undefined {
  const v = p[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ApiError(40002, `${name} must be a string.`);
  return v;
}

function reqString(p: Record<string, unknown>, name: string): string {
  const v = optString(p, name);
  if (v === undefined || v === '') throw new ApiError(40002, `${name} is required.`);
  return v;
}

/** Parses a JSON-text query parameter (e.g. fields=["a","b"]). */
function jsonParam(q: Record<string, string>, name: string): unknown {
  const raw = q[name];
  if (raw === undefined || raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new ApiError(40002, `${name} must be valid JSON.`);
  }
}

function stringArrayParam(
  q: Record<string, string>,
  name: string,
  max: number,
): string[] | undefined {
  const v = jsonParam(q, name);
  if (v === undefined) return undefined;
  return stringArray(v, name, max);
}

function stringArray(v: unknown, name: string, max: number): string[] {
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string'))
    throw new ApiError(40002, `${name} must be a JSON array of strings.`);
  if (v.length > max) throw new ApiError(40002, `${name} accepts at most ${max} items.`);
  return v;
}

function intParam(
  q: Record<string, string>,
  name: string,
  min: number,
  max: number,
  fallback: number,
): number {
  const raw = q[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ApiError(40002, `${name} must be an integer.`);
  const n = Number(raw);
  if (n < min || n > max) throw new ApiError(40002, `${name} must be between ${min} and ${max}.`);
  return n;
}

function boolParam(q: Record<string, string>, name: string): boolean {
  const raw = q[name];
  if (raw === undefined || raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ApiError(40002, `${name} must be true or false.`);
}

function enumParam<T extends string>(
  p: Record<string, unknown>,
  name: string,
  allowed: readonly T[],
  fallback?: T,
): T {
  const v = optString(p, name);
  if (v === undefined || v === '') {
    if (fallback === undefined) throw new ApiError(40002, `${name} is required.`);
    return fallback;
  }
  const found = allowed.find((a) => a === v);
  if (!found) throw new ApiError(40002, `${name} must be one of ${allowed.join(', ')}.`);
  return found;
}

function validText(p: Record<string, unknown>): string {
  const text = p.text;
  if (typeof text !== 'string' || text.trim() === '')
    throw new ApiError(40002, 'text is required.');
  // TikTok's limit since 2026-08-07 (TIKTOK-API.md section 8), in code points: not Echo's
  // TIKTOK_TEXT_LIMIT, which a deployment may set lower (or, to see TikTok refuse, higher)
  if ([...text].length > 1200) throw new ApiError(40002, 'text must be at most 1200 characters.');
  return text;
}

// ---------- lookups ----------

function ownVideo(ctx: RouteContext, videoId: string): SimVideo {
  const v = ctx.control.videos.get(videoId);
  if (!v || v.deleted || v.openId !== ctx.openId)
    throw new ApiError(40007, 'The video does not exist.');
  return v;
}

function liveComment(ctx: RouteContext, commentId: string, videoId?: string): SimComment {
  const c = ctx.control.comments.get(commentId);
  if (
    !c ||
    c.deleted ||
    c.openId !== ctx.openId ||
    (videoId !== undefined && c.videoId !== videoId)
  )
    throw new ApiError(40007, 'The comment does not exist.');
  if (c.parentCommentId && ctx.control.comments.get(c.parentCommentId)?.deleted)
    throw new ApiError(40007, 'The comment does not exist.');
  return c;
}

function liveReplies(ctx: RouteContext, parentId: string): SimComment[] {
  return (ctx.control.repliesByParent.get(parentId) ?? []).filter((c) => !c.deleted);
}

// ---------- serialisation ----------

function videoJson(ctx: RouteContext, v: SimVideo, fields: string[]): Record<string, unknown> {
  const commentCount = (ctx.control.commentsByVideo.get(v.itemId) ?? []).filter(
    (c) => !c.deleted,
  ).length;
  const all: Record<string, unknown> = {
    item_id: v.itemId,
    create_time: v.createTime,
    thumbnail_url: v.thumbnailUrl,
    share_url: v.shareUrl,
    embed_url: v.embedUrl,
    caption: v.caption,
    likes: v.likes,
    comments: commentCount,
    shares: 0,
    video_views: v.likes * 10,
    reach: v.likes * 8,
  };
  // TikTok leaves `is_ad` out of an item when it does not say.
  if (v.isAd !== undefined) all.is_ad = v.isAd;
  const out: Record<string, unknown> = { item_id: v.itemId };
  for (const f of fields) if (f in all) out[f] = all[f];
  return out;
}

function commentJson(
  ctx: RouteContext,
  c: SimComment,
  replyList?: SimComment[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    comment_id: c.commentId,
    video_id: c.videoId,
    text: c.text,
    create_time: String(c.createTime),
    likes: c.likes,
    replies: c.parentCommentId ? 0 : liveReplies(ctx, c.commentId).length,
    liked: false,
    pinned: c.pinned,
    owner: c.owner,
    status: c.status,
    username: c.username,
    display_name: c.displayName,
    profile_image: c.profileImage,
    unique_identifier: c.uniqueIdentifier,
    user_id: stableHash(`uid:${c.uniqueIdentifier}`),
  };
  if (c.parentCommentId) out.parent_comment_id = c.parentCommentId;
  if (replyList) out.reply_list = replyList.map((r) => commentJson(ctx, r));
  return out;
}

// ---------- comment listing ----------

interface ListOptions {
  status: 'PUBLIC' | 'ALL';
  sortField: 'create_time' | 'likes' | 'replies';
  sortOrder: 'asc' | 'desc' | 'smart';
  cursor: number;
  maxCount: number;
}

function listOptions(q: Record<string, string>): ListOptions {
  return {
    status: enumParam(q, 'status', ['PUBLIC', 'ALL'] as const, 'ALL'),
    sortField: enumParam(
      q,
      'sort_field',
      ['create_time', 'likes', 'replies'] as const,
      'create_time',
    ),
    sortOrder: enumParam(q, 'sort_order', ['asc', 'desc', 'smart'] as const, 'desc'),
    cursor: intParam(q, 'cursor', 0, Number.MAX_SAFE_INTEGER, 0),
    maxCount: intParam(q, 'max_count', 1, 30, 20),
  };
}

function sortComments(ctx: RouteContext, list: SimComment[], o: ListOptions): SimComment[] {
  const replyCount = (c: SimComment): number => liveReplies(ctx, c.commentId).length;
  const key = (c: SimComment): number =>
    o.sortField === 'likes' ? c.likes : o.sortField === 'replies' ? replyCount(c) : 0;
  const desc = [...list].sort((a, b) => {
    if (o.sortOrder === 'smart') return b.likes - a.likes || newestFirst(a, b);
    return key(b) - key(a) || newestFirst(a, b);
  });
  return o.sortOrder === 'asc' ? desc.reverse() : desc;
}

function pageOf(
  ctx: RouteContext,
  list: SimComment[],
  o: ListOptions,
  includeReplies: boolean,
  deepPages = false,
): { comments: unknown[]; cursor: number; has_more: boolean } {
  const sorted = sortComments(ctx, list, o);
  const page = deepPages ? withDeepPagingQuirk(ctx, sorted, o.cursor, o.maxCount) : sorted.slice(o.cursor, o.cursor + o.maxCount);
  return {
    comments: page.map((c) =>
      commentJson(
        ctx,
        c,
        includeReplies
          ? liveReplies(ctx, c.commentId)
              .filter((r) => o.status === 'ALL' || r.status === 'PUBLIC')
              .sort(newestFirst)
              .slice(0, 3)
          : undefined,
      ),
    ),
    cursor: o.cursor + page.length,
    has_more: o.cursor + page.length < sorted.length,
  };
}

/** The page at `cursor` as TikTok serves deep listings: past `from`, every `every`-th item repeats the one before. */
function withDeepPagingQuirk(ctx: RouteContext, sorted: SimComment[], cursor: number, maxCount: number): SimComment[] {
  const q = ctx.control.deepPaging;
  const page: SimComment[] = [];
  for (let p = cursor; p < Math.min(sorted.length, cursor + maxCount); p++) {
    page.push(q && p >= q.from && p > 0 && (p - q.from) % q.every === q.every - 1 ? sorted[p - 1] : sorted[p]);
  }
  return page;
}

function visibleComments(ctx: RouteContext, videoId: string, o: ListOptions): SimComment[] {
  return (ctx.control.commentsByVideo.get(videoId) ?? []).filter(
    (c) =>
      !c.deleted &&
      (o.status === 'ALL' || c.status === 'PUBLIC') &&
      !(c.parentCommentId && ctx.control.comments.get(c.parentCommentId)?.deleted),
  );
}

// ---------- data routes ----------

function businessGet(ctx: RouteContext): unknown {
  const fields = stringArrayParam(ctx.query, 'fields', 20) ?? ['display_name', 'profile_image'];
  for (const f of fields)
    if (!BUSINESS_FIELDS.has(f)) throw new ApiError(40002, `Unknown field: ${f}`);
  const a = ctx.control.accounts.get(ctx.openId);
  if (!a) throw new ApiError(40007);
  const all: Record<string, unknown> = {
    display_name: a.displayName,
    profile_image: a.profileImage,
    is_business_account: true,
    followers_count: a.followersCount,
    audience_countries: [],
  };
  if (a.username !== null) all.username = a.username;
  const out: Record<string, unknown> = {};
  for (const f of fields) if (f in all) out[f] = all[f];
  return out;
}

function videoList(ctx: RouteContext): unknown {
  const fields = stringArrayParam(ctx.query, 'fields', 20) ?? ['item_id'];
  for (const f of fields)
    if (!VIDEO_FIELDS.has(f)) throw new ApiError(40002, `Unknown field: ${f}`);
  // A field the app may not read fails the whole call (TIKTOK-API.md 5a).
  const denied = ctx.control.deniedFieldOf(ctx.openId, fields);
  if (denied !== undefined) throw new ApiError(40130, `No permission to read field: ${denied}.`);
  const filters = jsonParam(ctx.query, 'filters');
  let videoIds: string[] | undefined;
  if (filters !== undefined) {
    if (!isRecord(filters)) throw new ApiError(40002, 'filters must be a JSON object.');
    if (filters.video_ids !== undefined) videoIds = stringArray(filters.video_ids, 'video_ids', 20);
  }
  const maxCount = intParam(ctx.query, 'max_count', 1, 20, 10);
  const cursor = intParam(ctx.query, 'cursor', 0, Number.MAX_SAFE_INTEGER, 0);
  // An unlisted post is found by its id only, as at TikTok.
  const all = ctx.control
    .listVideos(ctx.openId)
    .filter((v) => (videoIds === undefined ? v.listed : videoIds.includes(v.itemId)))
    .filter((v) => cursor === 0 || v.createTimeMs < cursor);
  const page = all.slice(0, maxCount);
  return {
    videos: page.map((v) => videoJson(ctx, v, fields)),
    cursor: page.length > 0 ? page[page.length - 1].createTimeMs : cursor,
    has_more: all.length > page.length,
  };
}

function commentList(ctx: RouteContext): unknown {
  const q = ctx.query;
  const videoId = reqString(q, 'video_id');
  const o = listOptions(q);
  const includeReplies = boolParam(q, 'include_replies');
  const ids = stringArrayParam(q, 'comment_ids', 30);
  ownVideo(ctx, videoId);
  const visible = visibleComments(ctx, videoId, o);
  if (ids !== undefined && ids.length > 0) {
    const found = sortComments(
      ctx,
      visible.filter((c) => ids.includes(c.commentId)),
      o,
    );
    return pageOf(ctx, found, { ...o, cursor: 0, maxCount: found.length }, includeReplies);
  }
  return pageOf(
    ctx,
    visible.filter((c) => !c.parentCommentId),
    o,
    includeReplies,
    true,
  );
}

function replyList(ctx: RouteContext): unknown {
  const q = ctx.query;
  const videoId = reqString(q, 'video_id');
  const commentId = reqString(q, 'comment_id');
  const o = listOptions(q);
  ownVideo(ctx, videoId);
  liveComment(ctx, commentId, videoId);
  const replies = visibleComments(ctx, videoId, o).filter((c) => c.parentCommentId === commentId);
  return pageOf(ctx, replies, o, false);
}

function created(c: SimComment): unknown {
  return { comment_id: c.commentId, video_id: c.videoId, create_time: c.createTime, text: c.text };
}

function replyCreate(ctx: RouteContext): unknown {
  const p = params(ctx, 'POST');
  const videoId = reqString(p, 'video_id');
  const commentId = reqString(p, 'comment_id');
  const text = validText(p);
  ownVideo(ctx, videoId);
  liveComment(ctx, commentId, videoId);
  return created(
    ctx.control.addComment(ctx.openId, videoId, { text, owner: true, parentCommentId: commentId }),
  );
}

function commentCreate(ctx: RouteContext): unknown {
  const p = params(ctx, 'POST');
  const videoId = reqString(p, 'video_id');
  const text = validText(p);
  ownVideo(ctx, videoId);
  return created(ctx.control.addComment(ctx.openId, videoId, { text, owner: true }));
}

function commentHide(ctx: RouteContext): unknown {
  const p = params(ctx, 'POST');
  const videoId = reqString(p, 'video_id');
  const commentId = reqString(p, 'comment_id');
  const action = enumParam(p, 'action', ['HIDE', 'UNHIDE'] as const);
  ownVideo(ctx, videoId);
  ctx.control.setHidden(liveComment(ctx, commentId, videoId), action === 'HIDE');
  return {};
}

function commentDelete(ctx: RouteContext): unknown {
  const p = params(ctx, 'POST');
  const c = liveComment(ctx, reqString(p, 'comment_id'));
  if (!c.owner) throw new ApiError(40001, 'Only comments posted by this account can be deleted.');
  ctx.control.markDeleted(c);
  return {};
}

function commentLike(ctx: RouteContext): unknown {
  const p = params(ctx, 'POST');
  liveComment(ctx, reqString(p, 'comment_id'));
  enumParam(p, 'action', ['LIKE', 'UNLIKE'] as const);
  return {};
}

function commentPin(ctx: RouteContext): unknown {
  const p = params(ctx, 'POST');
  const videoId = reqString(p, 'video_id');
  const action = enumParam(p, 'action', ['PIN', 'UNPIN'] as const);
  ownVideo(ctx, videoId);
  const c = liveComment(ctx, reqString(p, 'comment_id'), videoId);
  c.pinned = action === 'PIN';
  ctx.control.changed();
  return {};
}

// ---------- webhook subscription routes (app credentials, no token) ----------

function appCredentials(ctx: RouteContext, p: Record<string, unknown>): void {
  const appId = reqString(p, 'app_id');
  const secret = reqString(p, 'secret');
  if (appId !== ctx.settings.clientKey || secret !== ctx.settings.clientSecret)
    throw new ApiError(40001, 'app_id or secret is invalid.');
}

function webhookUpdate(ctx: RouteContext): unknown {
  const p = params(ctx, 'POST');
  appCredentials(ctx, p);
  const eventType = enumParam(p, 'event_type', ['COMMENT'] as const);
  const callbackUrl = reqString(p, 'callback_url');
  let parsed: URL;
  try {
    parsed = new URL(callbackUrl);
  } catch {
    throw new ApiError(40002, 'callback_url is not a valid URL.');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new ApiError(40002, 'callback_url must be an https URL.');
  ctx.control.subscription = { eventType, callbackUrl };
  ctx.control.subscriptionSource = 'api';
  ctx.control.changed();
  return { app_id: ctx.settings.clientKey, event_type: eventType, callback_url: callbackUrl };
}

function webhookList(ctx: RouteContext): unknown {
  appCredentials(ctx, ctx.query);
  const eventType = enumParam(ctx.query, 'event_type', ['COMMENT'] as const);
  return {
    app_id: ctx.settings.clientKey,
    event_type: eventType,
    callback_url: ctx.control.subscription?.callbackUrl ?? '',
  };
}

function webhookDelete(ctx: RouteContext): unknown {
  const p = params(ctx, 'POST');
  appCredentials(ctx, p);
  enumParam(p, 'event_type', ['COMMENT'] as const);
  ctx.control.subscription = null;
  ctx.control.changed();
  return {};
}

// ---------- OAuth routes ----------

function clientCredentials(ctx: RouteContext, p: Record<string, unknown>): void {
  const id = optString(p, 'client_id');
  const secret = optString(p, 'client_secret');
  if (id !== ctx.settings.clientKey || secret !== ctx.settings.clientSecret)
    throw new ApiError(40113, 'client_id or client_secret is invalid.');
}

function tokenData(
  ctx: RouteContext,
  pair: ReturnType<SimulatorControl['issueTokens']>,
): Record<string, unknown> {
  const now = ctx.control.now();
  return {
    access_token: pair.access.token,
    token_type: 'Bearer',
    scope: pair.access.scopes.join(','),
    expires_in: Math.max(0, Math.floor((pair.access.expiresAt - now) / 1000)),
    refresh_token: pair.refresh.token,
    refresh_token_expires_in: Math.max(0, Math.floor((pair.refresh.expiresAt - now) / 1000)),
    open_id: pair.access.openId,
  };
}

function oauthToken(ctx: RouteContext): unknown {
  const p = params(ctx, 'POST');
  clientCredentials(ctx, p);
  if (optString(p, 'grant_type') !== 'authorization_code') throw new ApiError(40108);
  const code = ctx.control.authCodes.get(optString(p, 'auth_code') ?? '');
  if (!code) throw new ApiError(40101);
  if (code.used) throw new ApiError(40110);
  if (code.expiresAt <= ctx.control.now()) throw new ApiError(40101, 'The auth_code has expired.');
  if (optString(p, 'redirect_uri') !== code.redirectUri)
    throw new ApiError(40101, 'redirect_uri does not match the authorization request.');
  code.used = true;
  return tokenData(ctx, ctx.control.issueTokens(code.openId, code.scopes));
}

function oauthRefresh(ctx: RouteContext): unknown {
  const p = params(ctx, 'POST');
  clientCredentials(ctx, p);
  if (optString(p, 'grant_type') !== 'refresh_token') throw new ApiError(40108);
  const old = ctx.control.refreshTokens.get(optString(p, 'refresh_token') ?? '');
  if (!old || old.revoked || old.used) throw new ApiError(40107);
  if (old.expiresAt <= ctx.control.now()) throw new ApiError(40103);
  old.used = true;
  return tokenData(ctx, ctx.control.issueTokens(old.openId, old.scopes, old.expiresAt));
}

function oauthRevoke(ctx: RouteContext): unknown {
  const p = params(ctx, 'POST');
  clientCredentials(ctx, p);
  const token = ctx.control.accessTokens.get(reqString(p, 'access_token'));
  if (!token) throw new ApiError(40105);
  ctx.control.recordRevoke(token.openId, token.token);
  return {};
}

function tokenInfo(ctx: RouteContext): unknown {
  const p = params(ctx, 'POST');
  if (optString(p, 'app_id') !== ctx.settings.clientKey) throw new ApiError(40113);
  const token = ctx.control.accessTokens.get(reqString(p, 'access_token'));
  if (!token || token.revoked) throw new ApiError(40105);
  if (token.expiresAt <= ctx.control.now()) throw new ApiError(40102);
  return {
    app_id: ctx.settings.clientKey,
    creator_id: token.openId,
    scope: token.scopes.join(','),
  };
}

/** Every route, keyed by its path relative to `/open_api/v1.3/`. */
export const ROUTES: Readonly<Record<string, RouteDef>> = {
  'business/get/': { method: 'GET', kind: 'data', scope: 'user.info.basic', handle: businessGet },
  'business/video/list/': { method: 'GET', kind: 'data', scope: 'video.list', handle: videoList },
  'business/comment/list/': {
    method: 'GET',
    kind: 'data',
    scope: 'comment.list',
    handle: commentList,
  },
  'business/comment/reply/list/': {
    method: 'GET',
    kind: 'data',
    scope: 'comment.list',
    handle: replyList,
  },
  'business/comment/reply/create/': {
    method: 'POST',
    kind: 'data',
    scope: 'comment.list.manage',
    handle: replyCreate,
  },
  'business/comment/create/': {
    method: 'POST',
    kind: 'data',
    scope: 'comment.list.manage',
    handle: commentCreate,
  },
  'business/comment/hide/': {
    method: 'POST',
    kind: 'data',
    scope: 'comment.list.manage',
    handle: commentHide,
  },
  'business/comment/delete/': {
    method: 'POST',
    kind: 'data',
    scope: 'comment.list.manage',
    handle: commentDelete,
  },
  'business/comment/like/': {
    method: 'POST',
    kind: 'data',
    scope: 'comment.list.manage',
    handle: commentLike,
  },
  'business/comment/pin/': {
    method: 'POST',
    kind: 'data',
    scope: 'comment.list.manage',
    handle: commentPin,
  },
  'business/webhook/update/': { method: 'POST', kind: 'webhook', handle: webhookUpdate },
  'business/webhook/list/': { method: 'GET', kind: 'webhook', handle: webhookList },
  'business/webhook/delete/': { method: 'POST', kind: 'webhook', handle: webhookDelete },
  'tt_user/oauth2/token/': { method: 'POST', kind: 'oauth', handle: oauthToken },
  'tt_user/oauth2/refresh_token/': { method: 'POST', kind: 'oauth', handle: oauthRefresh },
  'tt_user/oauth2/revoke/': { method: 'POST', kind: 'oauth', handle: oauthRevoke },
  'tt_user/token_info/get/': { method: 'POST', kind: 'oauth', handle: tokenInfo },
};

/**
 * The Access-Token guard of data routes: returns the token's open_id or throws
 * 40104 (missing), 40105 (unknown or revoked), 40102 (expired), 40002 (no
 * business_id), 40001 (other account, or scope not granted).
 */
export function guardData(ctx: RouteContext, route: RouteDef): string {
  const raw = ctx.headers['access-token'];
  if (raw === undefined || raw.trim() === '') throw new ApiError(40104);
  const token = ctx.control.accessTokens.get(raw.trim());
  if (!token || token.revoked) throw new ApiError(40105);
  if (token.expiresAt <= ctx.control.now()) throw new ApiError(40102);
  const businessId = businessIdOf(route.method, ctx.query, ctx.body);
  if (businessId === undefined || businessId === '')
    throw new ApiError(40002, 'business_id is required.');
  if (businessId !== token.openId)
    throw new ApiError(40001, 'business_id does not match the access token.');
  if (route.scope && !token.scopes.includes(route.scope))
    throw new ApiError(40001, `Scope not authorized: ${route.scope}`);
  return token.openId;
}

/** The raw business_id of a request (query for GET, body for POST), if it is a string. */
export function businessIdOf(
  method: 'GET' | 'POST',
  query: Record<string, string>,
  body: unknown,
): string | undefined {
  const v = method === 'GET' ? query.business_id : isRecord(body) ? body.business_id : undefined;
  return typeof v === 'string' ? v : undefined;
}
