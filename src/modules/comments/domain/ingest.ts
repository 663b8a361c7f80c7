import type { TikTokComment } from '@shared/tiktok/tiktok-api.port';

/** Row shape for the ingest upsert. */
export interface IngestRow {
  tiktok_comment_id: string;
  tiktok_video_id: string;
  tiktok_parent_id: string | null;
  author_username: string;
  author_display_name: string;
  author_avatar_url: string | null;
  author_unique_id: string | null;
  text: string;
  like_count: number;
  reply_count: number;
  posted_at: string;
  from_account: boolean;
  hidden: boolean;
}

/**
 * Flattens inline replies and collapses repeats (TikTok repeats items past ~500; one statement
 * must not touch a row twice). The last copy of an id wins. Top-level comments come first, so
 * the replies' statement finds every parent.
 */
export function toIngestRows(comments: readonly TikTokComment[]): { topLevel: IngestRow[]; replies: IngestRow[] } {
  const byId = new Map<string, IngestRow>();
  const visit = (c: TikTokComment): void => {
    byId.set(c.commentId, {
      tiktok_comment_id: c.commentId,
      tiktok_video_id: c.videoId,
      tiktok_parent_id: c.parentCommentId,
      author_username: c.username,
      author_display_name: c.displayName,
      author_avatar_url: c.profileImage,
      author_unique_id: c.uniqueIdentifier,
      text: c.text,
      like_count: c.likes,
      reply_count: c.replies,
      posted_at: c.createTime.toISOString(),
      from_account: c.owner,
      hidden: c.status === 'HIDDEN',
    });
    for (const r of c.replyList ?? []) visit(r);
  };
  comments.forEach(visit);
  const all = [...byId.values()];
  return { topLevel: all.filter((r) => r.tiktok_parent_id === null), replies: all.filter((r) => r.tiktok_parent_id !== null) };
}
