import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Tx } from '@shared/database/tx';
import { EventConsumers, type EventConsumer } from '@shared/event-log/event-consumers';
import type { DeliveredEvent } from '@shared/event-log/event.types';
import { COMMENT_EVENT_TYPES } from '@modules/comments/contracts';

/**
 * Keeps a video's `lastCommentAt` in step with new comments, whatever stored them (sync, webhook
 * intake). The comments module never writes this table: it emits `tiktok.comment.received` and
 * this durable consumer reacts (at least once; the same event twice changes nothing: `greatest`).
 * The poll schedule stays the sync's business.
 */
@Injectable()
export class TrackLastCommentWhenCommentReceivedHandler implements EventConsumer, OnModuleInit {
  readonly name = 'videos.track-last-comment';
  readonly types = [COMMENT_EVENT_TYPES.received];
  /** `greatest`: the same event twice changes nothing, so no handled-event records are kept */
  readonly idempotent = true;

  constructor(private readonly consumers: EventConsumers) {}

  onModuleInit(): void {
    this.consumers.register(this);
  }

  /** A run of events: the newest comment time per video, one statement for all of them. */
  async handleMany(events: DeliveredEvent[], tx: Tx): Promise<void> {
    const newest = new Map<string, string>();
    for (const e of events) {
      const { videoId, postedAt } = e.data as { videoId?: unknown; postedAt?: unknown };
      if (typeof videoId !== 'string' || typeof postedAt !== 'string') continue;
      const seen = newest.get(videoId);
      if (!seen || Date.parse(postedAt) > Date.parse(seen)) newest.set(videoId, postedAt);
    }
    if (newest.size === 0) return;
    // `v.id = any(...)`: the videos by their key, whatever the statistics say (a join left to the
    // planner read every video of the tenant per pass while they lagged a fresh backfill)
    await tx.run(
      `update tiktok_video v set last_comment_at = greatest(coalesce(v.last_comment_at, x.at), x.at), updated_at = now()
         from unnest($1::uuid[], $2::timestamptz[]) as x(id, at)
        where v.tenant_id = current_setting('app.tenant_id') and v.id = any($1::uuid[]) and v.id = x.id
          and v.last_comment_at is distinct from greatest(coalesce(v.last_comment_at, x.at), x.at)`,
      [[...newest.keys()], [...newest.values()]],
    );
  }

  handle(event: DeliveredEvent, tx: Tx): Promise<void> {
    return this.handleMany([event], tx);
  }
}
