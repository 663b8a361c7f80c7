import { Inject } from '@nestjs/common';
import { CommandBus, CommandHandler, QueryBus, type ICommandHandler } from '@nestjs/cqrs';
import { TIKTOK_API, type TikTokApi, type TikTokAuth, type TikTokComment } from '@shared/tiktok/tiktok-api.port';
import { isTikTokError } from '@shared/tiktok/tiktok-error';
import { IngestCommentsCommand } from '@modules/comments/contracts';
import { GetVideoQuery, RecordVideoSyncCommand } from '@modules/videos/contracts';
import { ImportVideoCommentsCommand, TIKTOK_ACCESS, type TikTokAccess } from '../../contracts';
import { nextPoll } from './poll-schedule';

/**
 * A full read of one video's comments (pages of 30 with inline replies, `reply/list` where a
 * comment has more) outside the integration's sync lease: the ingest is idempotent, so running
 * beside a sync run of the same integration can only store a comment once.
 */
@CommandHandler(ImportVideoCommentsCommand)
export class ImportVideoCommentsHandler implements ICommandHandler<ImportVideoCommentsCommand, { newComments: number }> {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(TIKTOK_ACCESS) private readonly access: TikTokAccess,
    @Inject(TIKTOK_API) private readonly api: TikTokApi,
  ) {}

  async execute(c: ImportVideoCommentsCommand): Promise<{ newComments: number }> {
    const video = await this.queries.execute(new GetVideoQuery(c.tenant, c.videoId));
    if (!video || video.integrationId !== c.integrationId) return { newComments: 0 };
    const tv = video.tiktokVideoId;
    const call = <T>(fn: (auth: TikTokAuth) => Promise<T>): Promise<T> => this.access.withAccess(c.tenant, c.integrationId, fn);
    const ingest = async (items: TikTokComment[]): Promise<number> =>
      items.length === 0 ? 0 : (await this.commands.execute(new IngestCommentsCommand(c.tenant, c.integrationId, video.id, items))).insertedIds.length;
    let stored = 0;
    let cursor = 0;
    try {
      for (;;) {
        const page = await call((auth) => this.api.listComments(auth, { videoId: tv, cursor: cursor || undefined, maxCount: 30, includeReplies: true, status: 'ALL' }));
        stored += await ingest(page.items);
        for (const top of page.items) {
          if (top.replies <= (top.replyList?.length ?? 0)) continue;
          let rc = 0;
          for (;;) {
            const replies = await call((auth) => this.api.listReplies(auth, { videoId: tv, commentId: top.commentId, cursor: rc || undefined, maxCount: 30 }));
            stored += await ingest(replies.items);
            if (!replies.hasMore || replies.cursor === rc) break;
            rc = replies.cursor;
          }
        }
        if (!page.hasMore || page.cursor === cursor) break;
        cursor = page.cursor;
      }
    } catch (err) {
      if (isTikTokError(err, 'not-found')) {
        await this.commands.execute(new RecordVideoSyncCommand(c.tenant, video.id, { gone: true }));
        return { newComments: stored };
      }
      throw err;
    }
    const now = new Date();
    const np = nextPoll({ now, postedAt: video.postedAt, previousIntervalSeconds: null, newComments: 0 });
    await this.commands.execute(new RecordVideoSyncCommand(c.tenant, video.id, { polledAt: now, reconciledAt: now, nextPollAt: np.nextPollAt, pollIntervalSeconds: np.intervalSeconds }));
    return { newComments: stored };
  }
}
