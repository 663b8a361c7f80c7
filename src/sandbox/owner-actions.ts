import { renderControlPage } from './control-page';
import type { SimAccount, SimComment, SimVideo, SimulatorControl } from './simulator-control';

/**
 * What the owner of a sandbox TikTok account can do in "the TikTok app", over HTTP on the
 * simulator: `/sandbox/api/...` JSON routes, and the control page at `/sandbox/` whose forms post
 * to the same routes (a form post is answered with a redirect back to the page). Each action is
 * a `SimulatorControl` method, so TikTok's API and its webhooks see it as they would a real one.
 *
 * JSON routes (bodies and answers are JSON; errors `{"error": {"code", "message"}}`):
 * - `GET  /sandbox/api/accounts`
 * - `GET  /sandbox/api/accounts/{openId}/videos` (unlisted ones too)
 * - `POST /sandbox/api/accounts/{openId}/videos` `{"caption"?, "listed"?: true}` → 201
 * - `POST /sandbox/api/accounts/{openId}/revoke` (the owner removes the app's access)
 * - `GET  /sandbox/api/videos/{videoId}/comments` (hidden ones too)
 * - `POST /sandbox/api/videos/{videoId}/comments` `{"text", "parentCommentId"?, "asAccount"?: false,
 *   "username"?, "displayName"?}` → 201 (a fan's comment or reply; with `asAccount`, the account's
 *   own, written in the app and not through the API)
 * - `POST /sandbox/api/comments/{commentId}/hide`, `.../unhide`, `.../delete`
 */

/** One request to a `/sandbox` path. */
export interface OwnerRequest {
  method: string;
  pathname: string;
  query: Record<string, string>;
  contentType: string;
  raw: string;
  /** The `Origin` and `Host` headers, if sent. */
  origin?: string;
  host?: string;
}

/** The answer: JSON, HTML, or a redirect (after a form post). */
export type OwnerResponse =
  | { status: number; json: unknown }
  | { status: number; html: string }
  | { status: 303; location: string };

class OwnerActionError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 405,
    readonly code: 'INVALID' | 'FORBIDDEN' | 'NOT_FOUND' | 'METHOD_NOT_ALLOWED',
    message: string,
  ) {
    super(message);
  }
}

type Body = Record<string, unknown>;

interface Action {
  method: 'GET' | 'POST';
  pattern: RegExp;
  run(
    control: SimulatorControl,
    id: string,
    body: Body,
  ): { status: number; json: unknown; done?: string };
}

const ID = '([^/]+)';

const ACTIONS: Action[] = [
  {
    method: 'GET',
    pattern: /^\/sandbox\/api\/accounts\/?$/,
    run: (control) => ({
      status: 200,
      json: { accounts: control.listAccounts().map(accountJson) },
    }),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/sandbox/api/accounts/${ID}/videos/?$`),
    run: (control, openId) => {
      requireAccount(control, openId);
      return {
        status: 200,
        json: { videos: control.listVideos(openId).map((v) => videoJson(control, v)) },
      };
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/sandbox/api/accounts/${ID}/videos/?$`),
    run: (control, openId, body) => {
      requireAccount(control, openId);
      const listed = optBoolean(body, 'listed') ?? true;
      const video = control.addVideo(openId, { caption: optString(body, 'caption') ?? '', listed });
      return {
        status: 201,
        json: { video: videoJson(control, video) },
        done: `Posted ${listed ? 'a listed' : 'an unlisted'} video: ${video.shareUrl}`,
      };
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/sandbox/api/accounts/${ID}/revoke/?$`),
    run: (control, openId) => {
      requireAccount(control, openId);
      control.revokeGrants(openId);
      return {
        status: 200,
        json: { account: accountJson(control.account(openId) as SimAccount) },
        done: "Revoked the app's access: its tokens no longer work",
      };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/sandbox/api/videos/${ID}/comments/?$`),
    run: (control, videoId) => {
      const video = requireVideo(control, videoId);
      return {
        status: 200,
        json: { comments: control.getComments(video.openId, video.itemId).map(commentJson) },
      };
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/sandbox/api/videos/${ID}/comments/?$`),
    run: (control, videoId, body) => {
      const video = requireVideo(control, videoId);
      const text = optString(body, 'text')?.trim() ?? '';
      if (text === '') throw new OwnerActionError(400, 'INVALID', 'text is required');
      const parentCommentId = optString(body, 'parentCommentId') || undefined;
      if (parentCommentId !== undefined) {
        const parent = control.getComment(parentCommentId);
        if (!parent || parent.deleted || parent.videoId !== video.itemId)
          throw new OwnerActionError(404, 'NOT_FOUND', 'No such comment on this video');
      }
      const asAccount = optBoolean(body, 'asAccount') ?? false;
      const username = optString(body, 'username')?.trim() || undefined;
      if (username !== undefined && !/^[A-Za-z0-9._]{2,24}$/.test(username))
        throw new OwnerActionError(
          400,
          'INVALID',
          'username must be 2 to 24 letters, digits, dots or underscores',
        );
      const comment = control.addComment(video.openId, video.itemId, {
        text,
        parentCommentId,
        owner: asAccount,
        username,
        displayName: optString(body, 'displayName')?.trim() || undefined,
      });
      const what = parentCommentId ? 'reply' : 'comment';
      return {
        status: 201,
        json: { comment: commentJson(comment) },
        done: asAccount
          ? `The account posted a ${what} in the app`
          : `@${comment.username} posted a ${what}`,
      };
    },
  },
  ...(['hide', 'unhide', 'delete'] as const).map((verb): Action => ({
    method: 'POST',
    pattern: new RegExp(`^/sandbox/api/comments/${ID}/${verb}/?$`),
    run: (control, commentId) => {
      const c = control.getComment(commentId);
      if (!c || c.deleted) throw new OwnerActionError(404, 'NOT_FOUND', 'No such comment');
      if (verb === 'delete') control.deleteComment(commentId);
      else control.hideComment(commentId, verb === 'hide');
      return {
        status: 200,
        json: { comment: commentJson(control.getComment(commentId) as SimComment) },
        done: `Comment ${verb === 'delete' ? 'deleted' : verb === 'hide' ? 'hidden' : 'shown again'}`,
      };
    },
  })),
];

/** Answers a request to `/sandbox` or below. */
export function handleOwnerRequest(control: SimulatorControl, req: OwnerRequest): OwnerResponse {
  const method = req.method.toUpperCase();
  if (/^\/sandbox\/?$/.test(req.pathname)) {
    if (method !== 'GET' && method !== 'HEAD')
      return errorJson(new OwnerActionError(405, 'METHOD_NOT_ALLOWED', 'Use GET'));
    return { status: 200, html: renderControlPage(control, req.query) };
  }
  const isForm = req.contentType.startsWith('application/x-www-form-urlencoded');
  let body: Body = {};
  try {
    // A page of another site in the same browser must not act here (its forms and "simple"
    // requests need no CORS preflight): a browser's POST names its origin, curl's does not.
    if (method === 'POST' && req.origin !== undefined && !sameOrigin(req.origin, req.host))
      throw new OwnerActionError(403, 'FORBIDDEN', 'Only the sandbox control page may post here');
    body = isForm ? Object.fromEntries(new URLSearchParams(req.raw)) : parseJsonBody(req.raw);
    const onPath = ACTIONS.filter((a) => a.pattern.test(req.pathname));
    if (onPath.length === 0) throw new OwnerActionError(404, 'NOT_FOUND', 'No such sandbox route');
    const action = onPath.find((a) => a.method === (method === 'HEAD' ? 'GET' : method));
    if (!action) {
      const allowed = onPath.map((a) => a.method).join(', ');
      throw new OwnerActionError(405, 'METHOD_NOT_ALLOWED', `Use ${allowed}`);
    }
    const id = decodePart(action.pattern.exec(req.pathname)?.[1] ?? '');
    const out = action.run(control, id, body);
    if (isForm) return backToPage(body, { done: out.done ?? 'Done' });
    return { status: out.status, json: out.json };
  } catch (err) {
    if (!(err instanceof OwnerActionError)) throw err;
    if (isForm && err.status !== 403) return backToPage(body, { error: err.message });
    return errorJson(err);
  }
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new OwnerActionError(404, 'NOT_FOUND', 'No such sandbox route');
  }
}

function errorJson(err: OwnerActionError): OwnerResponse {
  return { status: err.status, json: { error: { code: err.code, message: err.message } } };
}

/** After a form post: back to the page it came from (a `/sandbox/` path only), with the outcome. */
function backToPage(body: Body, outcome: { done?: string; error?: string }): OwnerResponse {
  const from = typeof body.return_to === 'string' ? body.return_to : '';
  const safe = /^\/sandbox\/(\?[^\\]*)?$/.test(from) ? from : '/sandbox/';
  const u = new URL(safe, 'http://sandbox.invalid');
  u.searchParams.delete('done');
  u.searchParams.delete('error');
  for (const [k, v] of Object.entries(outcome)) if (v !== undefined) u.searchParams.set(k, v);
  return { status: 303, location: u.pathname + u.search };
}

function parseJsonBody(raw: string): Body {
  if (raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new OwnerActionError(400, 'INVALID', 'The body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new OwnerActionError(400, 'INVALID', 'The body must be a JSON object');
  return parsed as Body;
}

function optString(body: Body, name: string): string | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new OwnerActionError(400, 'INVALID', `${name} must be a string`);
  return v;
}

/** A JSON boolean, or from a form "true"/"false". */
function optBoolean(body: Body, name: string): boolean | undefined {
  const v = body[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new OwnerActionError(400, 'INVALID', `${name} must be true or false`);
}

function requireAccount(control: SimulatorControl, openId: string): SimAccount {
  const a = control.account(openId);
  if (!a) throw new OwnerActionError(404, 'NOT_FOUND', 'No such account');
  return a;
}

function requireVideo(control: SimulatorControl, videoId: string): SimVideo {
  const v = control.getVideo(videoId);
  if (!v || v.deleted) throw new OwnerActionError(404, 'NOT_FOUND', 'No such video');
  return v;
}

function accountJson(a: SimAccount): Record<string, unknown> {
  return {
    openId: a.openId,
    username: a.username,
    displayName: a.displayName,
    appAuthorized: a.grantedScopes !== null,
    grantedScopes: a.grantedScopes ?? [],
  };
}

function videoJson(control: SimulatorControl, v: SimVideo): Record<string, unknown> {
  return {
    videoId: v.itemId,
    openId: v.openId,
    caption: v.caption,
    createTime: v.createTime,
    shareUrl: v.shareUrl,
    listed: v.listed,
    comments: control.getComments(v.openId, v.itemId).length,
  };
}

function commentJson(c: SimComment): Record<string, unknown> {
  return {
    commentId: c.commentId,
    videoId: c.videoId,
    parentCommentId: c.parentCommentId ?? null,
    text: c.text,
    username: c.username,
    displayName: c.displayName,
    fromAccount: c.owner,
    status: c.status,
    deleted: c.deleted,
    createTime: c.createTime,
  };
}
