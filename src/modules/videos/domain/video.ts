import type { TikTokVideo } from '@shared/tiktok/tiktok-api.port';

/** A stored video, as the API shows it (API.md "Videos"). */
export interface VideoView {
  id: string;
  integrationId: string;
  tiktokVideoId: string;
  url: string;
  caption: string;
  thumbnailUrl: string | null;
  postedAt: string;
  commentCount: number;
  lastCommentAt: string | null;
  source: 'sync' | 'url';
  addedAt: string;
  /** TikTok's `is_ad`; null while TikTok has not said. */
  promoted: boolean | null;
}

/** Row shape handed to the upsert (`null`: TikTok did not return that field; keep what is stored). */
export interface VideoUpsertRow {
  tiktok_video_id: string;
  url: string | null;
  caption: string | null;
  thumbnail_url: string | null;
  posted_at: string | null;
  comment_count: number | null;
  promoted: boolean | null;
}

/**
 * Collapses repeats (TikTok pages can repeat items) so one statement never touches a row twice,
 * which `on conflict do update` refuses. The last copy wins: it is the freshest.
 */
export function toUpsertRows(videos: readonly TikTokVideo[]): VideoUpsertRow[] {
  const byId = new Map<string, VideoUpsertRow>();
  for (const v of videos) {
    byId.set(v.itemId, {
      tiktok_video_id: v.itemId,
      url: v.shareUrl ?? null,
      caption: v.caption ?? null,
      thumbnail_url: v.thumbnailUrl ?? null,
      posted_at: v.createTime ? v.createTime.toISOString() : null,
      comment_count: v.comments ?? null,
      promoted: v.isAd ?? null,
    });
  }
  return [...byId.values()];
}
