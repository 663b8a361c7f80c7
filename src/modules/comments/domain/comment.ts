import type { DeliveryState } from './delivery';

/** A comment or reply as the API shows it (API.md "Comments"). */
export interface CommentView {
  id: string;
  integrationId: string;
  videoId: string;
  tiktokCommentId: string | null;
  /** the thread's top-level comment (TikTok threads are one level deep) */
  parentId: string | null;
  /** the comment a reply posted from Echo answers (may be a reply in the thread); an addition to v1 */
  replyToId: string | null;
  author: { username: string; displayName: string; avatarUrl: string | null };
  text: string;
  likeCount: number;
  replyCount: number;
  postedAt: string;
  fromAccount: boolean;
  hidden: boolean;
  deleted: boolean;
  delivery: null | { state: DeliveryState; error: string | null; postedBy: string };
}

export type CommentStatusFilter = 'unanswered' | 'answered' | 'all';

/** The inbox filters (GET /comments). */
export interface CommentFilters {
  integrationId?: string;
  videoId?: string;
  status: CommentStatusFilter;
  q?: string;
  since?: Date;
}

/** Escapes `%`, `_` and `\` so a search term matches literally inside `ilike '%…%'`. */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
