import { createHash } from 'node:crypto';
import { parseJsonLossless } from '@shared/tiktok';

/** One comment event, parsed from a delivery (TIKTOK-API.md section 6). Ids are decimal strings. */
export interface CommentWebhookEvent {
  userOpenId: string;
  videoId: string;
  commentId: string;
  parentCommentId: string | null;
  action: string;
  /**
   * The comment's text (in `content` since 2026-06-18); null when absent. Only compared with what
   * TikTok returns by id and logged as its length and digest: personal data, never stored from here.
   */
  text: string | null;
}

/** A short SHA-256 (hex, 16 characters) of a comment text: enough to compare and to log, not to read. */
export function textDigest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);
}

const ID = /^\d{1,20}$/;

function id(v: unknown): string | null {
  const s = typeof v === 'string' ? v : typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : null;
  return s !== null && ID.test(s) ? s : null;
}

/**
 * The envelope and its `content` (a JSON string parsed a second time). Both are parsed losslessly:
 * the ids in `content` are JSON numbers above 2^53. Null for anything that is not a comment event.
 */
export function parseCommentDelivery(raw: string): CommentWebhookEvent | null {
  let env: unknown;
  try {
    env = parseJsonLossless(raw);
  } catch {
    return null;
  }
  if (typeof env !== 'object' || env === null) return null;
  const e = env as Record<string, unknown>;
  if (e.event !== 'comment.update' || typeof e.user_openid !== 'string' || typeof e.content !== 'string') return null;
  let content: unknown;
  try {
    content = parseJsonLossless(e.content);
  } catch {
    return null;
  }
  if (typeof content !== 'object' || content === null) return null;
  const c = content as Record<string, unknown>;
  const videoId = id(c.video_id);
  const commentId = id(c.comment_id);
  if (!videoId || !commentId || typeof c.comment_action !== 'string') return null;
  const parent = c.parent_comment_id === undefined || c.parent_comment_id === null ? null : id(c.parent_comment_id);
  return {
    userOpenId: e.user_openid,
    videoId,
    commentId,
    parentCommentId: parent && parent !== '0' ? parent : null,
    action: c.comment_action,
    text: typeof c.text === 'string' ? c.text : null,
  };
}
