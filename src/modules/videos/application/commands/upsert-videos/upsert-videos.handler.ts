import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Database } from '@shared/database/database';
import { EventLog } from '@shared/event-log/event-log';
import { UpsertVideosCommand, VIDEO_EVENTS, type UpsertVideosResult } from '../../../contracts';
import { toUpsertRows } from '../../../domain/video';
import { VideoRepository } from '../../../infrastructure/video.repository';

/** Stores a batch of videos in one statement; each new one is a `tiktok.video.added` in the same transaction. */
@CommandHandler(UpsertVideosCommand)
export class UpsertVideosHandler implements ICommandHandler<UpsertVideosCommand, UpsertVideosResult> {
  constructor(
    private readonly db: Database,
    private readonly videos: VideoRepository,
    private readonly eventLog: EventLog,
  ) {}

  async execute(cmd: UpsertVideosCommand): Promise<UpsertVideosResult> {
    const rows = toUpsertRows(cmd.videos);
    return this.db.inTenant(cmd.tenant, async (tx) => {
      const result = await this.videos.upsert(tx, cmd.integrationId, rows, cmd.source, cmd.addedBy);
      const inserted = result.filter((r) => r.inserted);
      await this.eventLog.append(
        tx,
        inserted.map((r) => ({
          type: VIDEO_EVENTS.added,
          actor: cmd.addedBy ? { type: 'user' as const, id: cmd.addedBy } : { type: 'system' as const, id: 'tiktok-sync' },
          subject: { type: 'video', id: r.id },
          integrationId: cmd.integrationId,
          data: {
            tenant: cmd.tenant,
            integrationId: cmd.integrationId,
            videoId: r.id,
            tiktokVideoId: r.tiktok_video_id,
            url: r.url,
            caption: r.caption,
            postedAt: r.posted_at.toISOString(),
            source: cmd.source,
          },
        })),
      );
      return { insertedIds: inserted.map((r) => r.id), updated: result.length - inserted.length };
    });
  }
}
