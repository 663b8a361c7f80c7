import { Command, Query } from '@nestjs/cqrs';
import type { TikTokVideo } from '@shared/tiktok/tiktok-api.port';

/**
 * The videos module's public surface. Other modules refer to a video by its Echo id and learn
 * what they need through `GetVideoQuery`; the sync writes through `UpsertVideosCommand`.
 */

/** What other modules need about a stored video. */
export interface VideoSummary {
  id: string;
  tenant: string;
  integrationId: string;
  /** TikTok's `item_id` (= `video_id` on the comment endpoints) */
  tiktokVideoId: string;
  url: string;
  caption: string;
  postedAt: Date;
  source: 'sync' | 'url';
  /** set when TikTok no longer lists the video */
  goneAt: Date | null;
}

/** One video of the tenant by Echo id, or null (missing, or another tenant's). */
export class GetVideoQuery extends Query<VideoSummary | null> {
  constructor(
    readonly tenant: string,
    readonly videoId: string,
  ) {
    super();
  }
}

/** What an upsert did: Echo ids of the rows it created, and how many existing rows changed. */
export interface UpsertVideosResult {
  insertedIds: string[];
  updated: number;
}

/**
 * Stores videos as TikTok listed them: one multi-row `insert ... on conflict (tenant_id,
 * integration_id, tiktok_video_id) do update ... where` something changed. Each new row emits
 * `tiktok.video.added` in the same transaction. Duplicates in `videos` are collapsed (last wins).
 * Fields TikTok did not return keep their stored values. `actor` defaults to the system.
 */
export class UpsertVideosCommand extends Command<UpsertVideosResult> {
  constructor(
    readonly tenant: string,
    readonly integrationId: string,
    readonly videos: TikTokVideo[],
    readonly source: 'sync' | 'url' = 'sync',
    readonly addedBy: string | null = null,
  ) {
    super();
  }
}

/** Stored event types of this module. */
export const VIDEO_EVENTS = { added: 'tiktok.video.added' } as const;
