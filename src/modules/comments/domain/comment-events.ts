/** Stored event types of the comments module (API.md "Event log"). */
export const COMMENT_EVENTS = {
  received: 'tiktok.comment.received',
  changed: 'tiktok.comment.changed',
  read: 'tiktok.comments.read',
  replyRequested: 'tiktok.reply.requested',
  replied: 'tiktok.comment.replied',
  posted: 'tiktok.comment.posted',
  replyFailed: 'tiktok.reply.failed',
  hidden: 'tiktok.comment.hidden',
  unhidden: 'tiktok.comment.unhidden',
  deleted: 'tiktok.comment.deleted',
} as const;

/** A stored comment as the sync's comment events describe it (ids as text, `postedAt` ISO 8601). */
export interface CommentEventFields {
  commentId: string;
  videoId: string;
  tiktokVideoId: string;
  tiktokCommentId: string;
  parentId: string | null;
  tiktokParentId: string | null;
  authorUsername: string;
  authorDisplayName: string;
  text: string;
  fromAccount: boolean;
  hidden: boolean;
  postedAt: string;
}

/**
 * The `data` of `tiktok.comment.received` and `tiktok.comment.changed` (the latter adds
 * `change`). The ingest statement writes the received event's data in SQL
 * (`receivedDataJcsSql`): it must build exactly this object.
 */
export function commentEventData(tenant: string, integrationId: string, c: CommentEventFields): Record<string, unknown> {
  return {
    tenant,
    integrationId,
    videoId: c.videoId,
    tiktokVideoId: c.tiktokVideoId,
    commentId: c.commentId,
    tiktokCommentId: c.tiktokCommentId,
    parentId: c.parentId,
    tiktokParentId: c.tiktokParentId,
    author: { username: c.authorUsername, displayName: c.authorDisplayName },
    text: c.text,
    fromAccount: c.fromAccount,
    hidden: c.hidden,
    postedAt: c.postedAt,
  };
}
