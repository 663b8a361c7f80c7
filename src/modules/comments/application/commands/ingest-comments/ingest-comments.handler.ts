import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Database } from '@shared/database/database';
import type { Tx } from '@shared/database/tx';
import { EventLog } from '@shared/event-log/event-log';
import type { NewEvent } from '@shared/event-log/event.types';
import { IngestCommentsCommand, type IngestCommentsResult } from '../../../contracts';
import { COMMENT_EVENTS } from '../../../domain/comment-events';
import { READ_BACK_SKEW_MS } from '../../../domain/delivery';
import { toIngestRows, type IngestRow } from '../../../domain/ingest';
import { CommentRepository, type CommentRow } from '../../../infrastructure/comment.repository';
import { PostDelivery } from '../../delivery/post-delivery';

type UpsertedRow = CommentRow & { inserted: boolean };

const SYNC_ACTOR = { type: 'system' as const, id: 'tiktok-sync' };

/** Stores a batch of one video's comments (see `IngestCommentsCommand`), in one transaction. */
@CommandHandler(IngestCommentsCommand)
export class IngestCommentsHandler implements ICommandHandler<IngestCommentsCommand, IngestCommentsResult> {
  constructor(
    private readonly db: Database,
    private readonly comments: CommentRepository,
    private readonly delivery: PostDelivery,
    private readonly eventLog: EventLog,
  ) {}

  async execute(cmd: IngestCommentsCommand): Promise<IngestCommentsResult> {
    const { topLevel, replies } = toIngestRows(cmd.comments);
    const all = [...topLevel, ...replies];
    if (all.length === 0) return { insertedIds: [], updated: 0, matched: 0 };
    return this.db.inTenant(cmd.tenant, async (tx) => {
      const before = await this.comments.storedByTikTokId(
        tx,
        cmd.integrationId,
        all.map((r) => r.tiktok_comment_id),
      );
      let matched = 0;
      for (const r of all) {
        if (r.from_account && !before.has(r.tiktok_comment_id) && (await this.matchOwnPost(tx, cmd, r))) matched += 1;
      }
      const upserted = [
        ...(await this.upsert(tx, cmd.integrationId, cmd.videoId, topLevel)),
        ...(await this.upsert(tx, cmd.integrationId, cmd.videoId, replies)),
      ];
      const events: NewEvent[] = [];
      for (const row of upserted) {
        if (row.inserted) {
          events.push(this.event(COMMENT_EVENTS.received, cmd, row, {}));
        } else if (before.has(row.tiktok_comment_id!) && before.get(row.tiktok_comment_id!)!.hidden !== row.hidden) {
          events.push(this.event(COMMENT_EVENTS.changed, cmd, row, { change: row.hidden ? 'hidden' : 'unhidden' }));
        }
      }
      await this.eventLog.append(tx, events);
      const insertedIds = upserted.filter((r) => r.inserted).map((r) => r.id);
      return { insertedIds, updated: upserted.length - insertedIds.length, matched };
      // What TikTok lists can be read again: a crash may lose the last moment of ingest (never a
      // part of one), and whatever the comments' readers see is committed durably after it.
      // A matched post of ours is different: that commit must last (it settles a delivery).
    }, { deferredCommit: !cmd.comments.some((c) => c.owner) });
  }

  /**
   * An own comment TikTok lists that we have not stored may be one of our posts whose answer was
   * lost: same thread, same text, stamped no earlier than our attempt began. It becomes that post.
   */
  private async matchOwnPost(tx: Tx, cmd: IngestCommentsCommand, r: IngestRow): Promise<boolean> {
    const latestStart = new Date(Date.parse(r.posted_at) + 1000 + READ_BACK_SKEW_MS).toISOString();
    const post = await tx.one<CommentRow>(
      `select * from tiktok_comment
        where tenant_id = current_setting('app.tenant_id') and integration_id = $1 and from_account and tiktok_comment_id is null and not deleted
          and attempt_started_at is not null and attempt_started_at <= $4::timestamptz
          and (delivery_state = 'pending' or (delivery_state = 'failed' and delivery_error = 'OUTCOME_UNKNOWN'))
          and text = $2 and tiktok_parent_id is not distinct from $3
        order by attempt_started_at asc, id asc limit 1 for update skip locked`,
      [cmd.integrationId, r.text.trim(), r.tiktok_parent_id, latestStart],
    );
    if (!post) return false;
    await this.delivery.markSent(cmd.tenant, post, r.tiktok_comment_id, tx);
    return true;
  }

  /**
   * The multi-row upsert. A reply's parent is found by a per-row lookup on the unique key (a
   * scalar subquery): as a join, stale statistics right after a backfill starts (the planner
   * thinks the integration has one comment) made it hash every stored comment of the integration
   * for each page. `where ... is distinct from` skips rows where nothing changed (no write,
   * not returned); `xmax = 0` marks a fresh insert. A comment TikTok lists is not deleted.
   */
  private async upsert(tx: Tx, integrationId: string, videoId: string, rows: IngestRow[]): Promise<UpsertedRow[]> {
    if (rows.length === 0) return [];
    return tx.query<UpsertedRow>(
      `insert into tiktok_comment as c (tenant_id, id, integration_id, video_id, tiktok_video_id, tiktok_comment_id, parent_id,
            tiktok_parent_id, author_username, author_display_name, author_avatar_url, author_unique_id, text, like_count,
            reply_count, posted_at, from_account, hidden)
       select current_setting('app.tenant_id'), gen_random_uuid(), $1::uuid, $2::uuid, x.tiktok_video_id, x.tiktok_comment_id,
              (select p.id from tiktok_comment p
                where p.tenant_id = current_setting('app.tenant_id') and p.integration_id = $1::uuid and p.tiktok_comment_id = x.tiktok_parent_id),
              x.tiktok_parent_id, x.author_username, x.author_display_name, x.author_avatar_url, x.author_unique_id, x.text,
              x.like_count, x.reply_count, x.posted_at, x.from_account, x.hidden
         from jsonb_to_recordset($3::jsonb) as x(tiktok_comment_id text, tiktok_video_id text, tiktok_parent_id text,
              author_username text, author_display_name text, author_avatar_url text, author_unique_id text, text text,
              like_count int, reply_count int, posted_at timestamptz, from_account boolean, hidden boolean)
       on conflict (tenant_id, integration_id, tiktok_comment_id) do update set
         text = excluded.text, like_count = excluded.like_count, reply_count = excluded.reply_count, hidden = excluded.hidden,
         author_username = excluded.author_username, author_display_name = excluded.author_display_name,
         author_avatar_url = excluded.author_avatar_url, author_unique_id = excluded.author_unique_id,
         parent_id = coalesce(c.parent_id, excluded.parent_id), deleted = false, deleted_at = null, updated_at = now()
       where (c.text, c.like_count, c.reply_count, c.hidden, c.author_username, c.author_display_name, c.author_avatar_url,
              c.author_unique_id, c.deleted, c.parent_id)
             is distinct from
             (excluded.text, excluded.like_count, excluded.reply_count, excluded.hidden, excluded.author_username,
              excluded.author_display_name, excluded.author_avatar_url, excluded.author_unique_id, false,
              coalesce(c.parent_id, excluded.parent_id))
       returning c.*, (c.xmax = 0) as inserted`,
      [integrationId, videoId, JSON.stringify(rows)],
    );
  }

  private event(type: string, cmd: IngestCommentsCommand, row: CommentRow, extra: Record<string, unknown>): NewEvent {
    return {
      type,
      actor: SYNC_ACTOR,
      subject: { type: 'comment', id: row.id },
      integrationId: cmd.integrationId,
      data: {
        tenant: cmd.tenant,
        integrationId: cmd.integrationId,
        videoId: cmd.videoId,
        tiktokVideoId: row.tiktok_video_id,
        commentId: row.id,
        tiktokCommentId: row.tiktok_comment_id,
        parentId: row.parent_id,
        tiktokParentId: row.tiktok_parent_id,
        author: { username: row.author_username, displayName: row.author_display_name },
        text: row.text,
        fromAccount: row.from_account,
        hidden: row.hidden,
        postedAt: row.posted_at.toISOString(),
        ...extra,
      },
    };
  }
}
