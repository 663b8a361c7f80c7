import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Tx } from '@shared/database/tx';
import { EventConsumers, type EventConsumer } from '@shared/event-log/event-consumers';
import type { DeliveredEvent } from '@shared/event-log/event.types';
import { COMMENT_EVENT_TYPES } from '@modules/comments/contracts';
import { VIDEO_EVENTS } from '@modules/videos/contracts';

/**
 * Keeps an integration's `videosKnown` and `commentsStored` equal to what is stored, however it
 * came (backfill, polls, webhooks, add by URL): each stored video and comment has exactly one
 * `tiktok.video.added` / `tiktok.comment.received` event, and this consumer adds those it has not
 * counted yet. The integration's `counted_position` (the log position of the last event counted)
 * makes a redelivery count nothing, so no handled-event records are kept. A count(*) on every
 * read would be exact too, but costs a scan of millions of comments per GET.
 */
@Injectable()
export class CountStoredWhenAddedHandler implements EventConsumer, OnModuleInit {
  readonly name = 'integrations.count-stored';
  readonly types = [VIDEO_EVENTS.added, COMMENT_EVENT_TYPES.received];
  readonly idempotent = true;

  constructor(private readonly consumers: EventConsumers) {}

  onModuleInit(): void {
    this.consumers.register(this);
  }

  /** A run of one tenant's events, in log order: one statement for all of them. */
  async handleMany(events: DeliveredEvent[], tx: Tx): Promise<void> {
    const ids: string[] = [];
    const videos: boolean[] = [];
    const positions: number[] = [];
    for (const e of events) {
      const id = e.integrationId ?? (e.data as { integrationId?: unknown }).integrationId;
      if (typeof id !== 'string') continue;
      ids.push(id);
      videos.push(e.type === VIDEO_EVENTS.added);
      positions.push(e.position);
    }
    if (ids.length === 0) return;
    await tx.run(
      `update tiktok_integration i
          set videos_known = i.videos_known + x.videos, comments_stored = i.comments_stored + x.comments, counted_position = x.upto
         from (select e.id, count(*) filter (where e.video) as videos, count(*) filter (where not e.video) as comments, max(e.position) as upto
                 from unnest($1::uuid[], $2::boolean[], $3::bigint[]) as e(id, video, position)
                 join tiktok_integration c on c.tenant_id = current_setting('app.tenant_id') and c.id = e.id
                where e.position > c.counted_position
                group by e.id) x
        where i.tenant_id = current_setting('app.tenant_id') and i.id = x.id`,
      [ids, videos, positions],
    );
  }

  handle(event: DeliveredEvent, tx: Tx): Promise<void> {
    return this.handleMany([event], tx);
  }
}
