import { CommandHandler, QueryHandler, type ICommandHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Database } from '@shared/database/database';
import {
  FindVideoByTikTokIdQuery,
  ListVideosForSyncQuery,
  RecordVideoSyncCommand,
  type VideoSummary,
  type VideoSyncInfo,
} from '../../contracts';

interface SyncRow {
  id: string;
  tiktok_video_id: string;
  posted_at: Date;
  next_poll_at: Date | null;
  poll_interval_seconds: number | null;
  last_reconciled_at: Date | null;
  last_swept_at: Date | null;
}

const toInfo = (r: SyncRow): VideoSyncInfo => ({
  id: r.id,
  tiktokVideoId: r.tiktok_video_id,
  postedAt: r.posted_at,
  nextPollAt: r.next_poll_at,
  pollIntervalSeconds: r.poll_interval_seconds,
  lastReconciledAt: r.last_reconciled_at,
  lastSweptAt: r.last_swept_at,
});

const COLS = 'id, tiktok_video_id, posted_at, next_poll_at, poll_interval_seconds, last_reconciled_at, last_swept_at';

/** The sync's reads of `tiktok_video` (the indexes `tiktok_video_due_idx` / `_reconcile_idx` / `_page_idx` serve them). */
@QueryHandler(ListVideosForSyncQuery)
export class ListVideosForSyncHandler implements IQueryHandler<ListVideosForSyncQuery, VideoSyncInfo[]> {
  constructor(private readonly db: Database) {}

  async execute(q: ListVideosForSyncQuery): Promise<VideoSyncInfo[]> {
    const s = q.select;
    const rows = await this.db.inTenant(q.tenant, (tx) => {
      if (s.kind === 'due') {
        return tx.query<SyncRow>(
          `select ${COLS} from tiktok_video where tenant_id = current_setting('app.tenant_id') and integration_id = $1 and gone_at is null and next_poll_at <= now()
            order by next_poll_at, id limit $2`,
          [q.integrationId, s.limit],
        );
      }
      if (s.kind === 'reconcile') {
        return tx.query<SyncRow>(
          `select ${COLS} from tiktok_video where tenant_id = current_setting('app.tenant_id') and integration_id = $1 and gone_at is null
            order by last_reconciled_at nulls first, posted_at desc, id limit $2`,
          [q.integrationId, s.limit],
        );
      }
      if (s.kind === 'sweep') {
        // the recent videos are a short range of the page index; sorted here, not by an index
        return tx.query<SyncRow>(
          `select ${COLS} from tiktok_video where tenant_id = current_setting('app.tenant_id') and integration_id = $1 and gone_at is null
              and posted_at > $2 and (last_swept_at is null or last_swept_at <= $3)
            order by last_swept_at nulls first, posted_at desc, id limit $4`,
          [q.integrationId, s.postedAfter.toISOString(), s.sweptBefore.toISOString(), s.limit],
        );
      }
      return tx.query<SyncRow>(
        `select ${COLS} from tiktok_video where tenant_id = current_setting('app.tenant_id') and integration_id = $1 and gone_at is null
            and ($2::timestamptz is null or (posted_at, id) < ($2::timestamptz, $3::uuid))
          order by posted_at desc, id desc limit $4`,
        [q.integrationId, s.after?.postedAt ?? null, s.after?.id ?? null, s.limit],
      );
    });
    return rows.map(toInfo);
  }
}

@QueryHandler(FindVideoByTikTokIdQuery)
export class FindVideoByTikTokIdHandler implements IQueryHandler<FindVideoByTikTokIdQuery, VideoSummary | null> {
  constructor(private readonly db: Database) {}

  async execute(q: FindVideoByTikTokIdQuery): Promise<VideoSummary | null> {
    const r = await this.db.inTenant(q.tenant, (tx) =>
      tx.one<{ id: string; tenant_id: string; integration_id: string; tiktok_video_id: string; url: string; caption: string; posted_at: Date; source: 'sync' | 'url'; gone_at: Date | null }>(
        `select id, tenant_id, integration_id, tiktok_video_id, url, caption, posted_at, source, gone_at
           from tiktok_video where tenant_id = current_setting('app.tenant_id') and integration_id = $1 and tiktok_video_id = $2`,
        [q.integrationId, q.tiktokVideoId],
      ),
    );
    return r
      ? { id: r.id, tenant: r.tenant_id, integrationId: r.integration_id, tiktokVideoId: r.tiktok_video_id, url: r.url, caption: r.caption, postedAt: r.posted_at, source: r.source, goneAt: r.gone_at }
      : null;
  }
}

@CommandHandler(RecordVideoSyncCommand)
export class RecordVideoSyncHandler implements ICommandHandler<RecordVideoSyncCommand, void> {
  constructor(private readonly db: Database) {}

  async execute(c: RecordVideoSyncCommand): Promise<void> {
    const ch = c.change;
    const iso = (d: Date | undefined): string | null => (d ? d.toISOString() : null);
    await this.db.inTenant(c.tenant, (tx) =>
      tx.run(
        `update tiktok_video set
           last_polled_at = coalesce($2::timestamptz, last_polled_at),
           last_reconciled_at = coalesce($3::timestamptz, last_reconciled_at),
           last_swept_at = coalesce($8::timestamptz, last_swept_at),
           next_poll_at = coalesce($4::timestamptz, next_poll_at),
           poll_interval_seconds = coalesce($5::int, poll_interval_seconds),
           last_comment_at = greatest(last_comment_at, $6::timestamptz),
           gone_at = case when $7::boolean then coalesce(gone_at, now()) else gone_at end,
           updated_at = now()
         where tenant_id = current_setting('app.tenant_id') and id = $1`,
        [c.videoId, iso(ch.polledAt), iso(ch.reconciledAt), iso(ch.nextPollAt), ch.pollIntervalSeconds ?? null, iso(ch.lastCommentAt), ch.gone ?? false, iso(ch.sweptAt)],
      ),
    );
  }
}
