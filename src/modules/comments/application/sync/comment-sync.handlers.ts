import { CommandHandler, QueryHandler, type ICommandHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Database } from '@shared/database/database';
import { EventLog } from '@shared/event-log/event-log';
import {
  CountSyncedCommentsQuery,
  GetCommentSyncStateQuery,
  ListStoredCommentIdsQuery,
  MarkCommentsDeletedCommand,
  type CommentSyncState,
} from '../../contracts';
import { COMMENT_EVENTS } from '../../domain/comment-events';

const SYNC_ACTOR = { type: 'system' as const, id: 'tiktok-sync' };

@QueryHandler(GetCommentSyncStateQuery)
export class GetCommentSyncStateHandler implements IQueryHandler<GetCommentSyncStateQuery, CommentSyncState> {
  constructor(private readonly db: Database) {}

  async execute(q: GetCommentSyncStateQuery): Promise<CommentSyncState> {
    if (q.tiktokCommentIds.length === 0) return { known: [], storedReplies: {} };
    const rows = await this.db.inTenant(q.tenant, (tx) =>
      tx.query<{ tiktok_comment_id: string; replies: string }>(
        // One unique-key probe per id (lateral), immune to statistics lagging a fast-growing table.
        // `deleted` is tested outside the probe: inside, it made the partial `... where not deleted`
        // page index look as good, and that one reads every comment of the integration.
        `select p.tiktok_comment_id,
                (select count(*) from tiktok_comment r
                  where r.tenant_id = p.tenant_id and r.parent_id = p.id and not r.deleted and r.tiktok_comment_id is not null) as replies
           from unnest($2::text[]) as i(id)
           cross join lateral (
             select tenant_id, id, tiktok_comment_id, deleted from tiktok_comment
              where tenant_id = current_setting('app.tenant_id') and integration_id = $1 and tiktok_comment_id = i.id
              limit 1) p
          where not p.deleted`,
        [q.integrationId, [...new Set(q.tiktokCommentIds)]],
      ),
    );
    return {
      known: rows.map((r) => r.tiktok_comment_id),
      storedReplies: Object.fromEntries(rows.map((r) => [r.tiktok_comment_id, Number(r.replies)])),
    };
  }
}

@QueryHandler(CountSyncedCommentsQuery)
export class CountSyncedCommentsHandler implements IQueryHandler<CountSyncedCommentsQuery, number> {
  constructor(private readonly db: Database) {}

  async execute(q: CountSyncedCommentsQuery): Promise<number> {
    const row = await this.db.inTenant(q.tenant, (tx) =>
      tx.one<{ n: string }>(
        `select count(*) as n from tiktok_comment
          where tenant_id = current_setting('app.tenant_id') and integration_id = $1 and tiktok_comment_id is not null and delivery_state is null`,
        [q.integrationId],
      ),
    );
    return Number(row?.n ?? 0);
  }
}

@QueryHandler(ListStoredCommentIdsQuery)
export class ListStoredCommentIdsHandler implements IQueryHandler<ListStoredCommentIdsQuery, string[]> {
  constructor(private readonly db: Database) {}

  async execute(q: ListStoredCommentIdsQuery): Promise<string[]> {
    const rows = await this.db.inTenant(q.tenant, (tx) =>
      tx.query<{ tiktok_comment_id: string }>(
        `select tiktok_comment_id from tiktok_comment
          where tenant_id = current_setting('app.tenant_id') and integration_id = $1 and video_id = $2 and tiktok_comment_id is not null and not deleted`,
        [q.integrationId, q.videoId],
      ),
    );
    return rows.map((r) => r.tiktok_comment_id);
  }
}

/** Deletions made on TikTok, confirmed by the caller with a by-id lookup; one event per row that changes. */
@CommandHandler(MarkCommentsDeletedCommand)
export class MarkCommentsDeletedHandler implements ICommandHandler<MarkCommentsDeletedCommand, { deleted: number }> {
  constructor(
    private readonly db: Database,
    private readonly eventLog: EventLog,
  ) {}

  async execute(c: MarkCommentsDeletedCommand): Promise<{ deleted: number }> {
    if (c.tiktokCommentIds.length === 0) return { deleted: 0 };
    return this.db.inTenant(c.tenant, async (tx) => {
      const rows = await tx.query<{ id: string; video_id: string; tiktok_video_id: string; tiktok_comment_id: string; parent_id: string | null }>(
        `update tiktok_comment set deleted = true, deleted_at = now(), updated_at = now()
          where tenant_id = current_setting('app.tenant_id') and integration_id = $1 and tiktok_comment_id = any($2::text[]) and not deleted
          returning id, video_id, tiktok_video_id, tiktok_comment_id, parent_id`,
        [c.integrationId, c.tiktokCommentIds],
      );
      await this.eventLog.append(
        tx,
        rows.map((r) => ({
          type: COMMENT_EVENTS.changed,
          actor: SYNC_ACTOR,
          subject: { type: 'comment', id: r.id },
          integrationId: c.integrationId,
          data: {
            tenant: c.tenant,
            integrationId: c.integrationId,
            videoId: r.video_id,
            tiktokVideoId: r.tiktok_video_id,
            commentId: r.id,
            tiktokCommentId: r.tiktok_comment_id,
            parentId: r.parent_id,
            change: 'deleted',
          },
        })),
      );
      return { deleted: rows.length };
    });
  }
}
