import { jcsObjectSql } from '@shared/event-log/jcs';

/**
 * SQL for the JCS text of a `tiktok.comment.received` event's data, written by the ingest
 * statement from the row it inserts (`row` = the alias of its JSON rows, whose ids and `posted_at`
 * are text), so that the event's `data` and `dataDigest` both come from that one text. It is the
 * object `commentEventData` describes (test/foundation/event-log-sql.e2e-spec.ts compares them).
 */
export function receivedDataJcsSql(row: string, integrationIdText: string): string {
  const text = (column: string) => ({ text: `${row}.${column}` });
  return jcsObjectSql({
    tenant: { text: `current_setting('app.tenant_id')` },
    integrationId: { text: integrationIdText },
    videoId: text('video_id'),
    tiktokVideoId: text('tiktok_video_id'),
    commentId: text('id'),
    tiktokCommentId: text('tiktok_comment_id'),
    parentId: text('parent_id'),
    tiktokParentId: text('tiktok_parent_id'),
    author: { object: { username: text('author_username'), displayName: text('author_display_name') } },
    text: text('text'),
    fromAccount: { boolean: `${row}.from_account` },
    hidden: { boolean: `${row}.hidden` },
    postedAt: text('posted_at'),
  });
}
