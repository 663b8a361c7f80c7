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
