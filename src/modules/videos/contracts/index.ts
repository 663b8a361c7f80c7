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

// ---- for the sync saga and the webhook intake (integrations module) ----

/** What the sync needs about a video to plan and record its polls. */
export interface VideoSyncInfo {
  id: string;
  tiktokVideoId: string;
  postedAt: Date;
  nextPollAt: Date | null;
  pollIntervalSeconds: number | null;
  lastReconciledAt: Date | null;
  lastSweptAt: Date | null;
}

/**
 * Live (not gone) videos of an integration, for the sync:
 * - `due`: `next_poll_at <= now()`, soonest first;
 * - `reconcile`: least recently reconciled first (never reconciled first of all);
 * - `sweep`: posted after `postedAfter` and not swept since `sweptBefore`, least recently swept first;
 * - `keyset`: every video in (postedAt desc, id desc) order after `after` (the backfill's walk).
 */
export class ListVideosForSyncQuery extends Query<VideoSyncInfo[]> {
  constructor(
    readonly tenant: string,
    readonly integrationId: string,
    readonly select:
      | { kind: 'due'; limit: number }
      | { kind: 'reconcile'; limit: number }
      | { kind: 'sweep'; postedAfter: Date; sweptBefore: Date; limit: number }
      | { kind: 'keyset'; after: { postedAt: string; id: string } | null; limit: number },
  ) {
    super();
  }
}

/** The stored video with this TikTok id on the integration, or null. */
export class FindVideoByTikTokIdQuery extends Query<VideoSummary | null> {
  constructor(
    readonly tenant: string,
    readonly integrationId: string,
    readonly tiktokVideoId: string,
  ) {
    super();
  }
}

/**
 * Records what the sync did with a video: when it was polled or fully reconciled, when to poll it
 * next (the webhook intake sets `nextPollAt` to now as a cross-check), or that TikTok no longer
 * has it (`gone`). Fields left undefined keep their stored values.
 */
export class RecordVideoSyncCommand extends Command<void> {
  constructor(
    readonly tenant: string,
    readonly videoId: string,
    readonly change: {
      polledAt?: Date;
      reconciledAt?: Date;
      /** the whole top-level list was read comparing `replies` counts (a sweep, backfill or reconciliation) */
      sweptAt?: Date;
      nextPollAt?: Date;
      pollIntervalSeconds?: number;
      lastCommentAt?: Date;
      gone?: boolean;
    },
  ) {
    super();
  }
}
