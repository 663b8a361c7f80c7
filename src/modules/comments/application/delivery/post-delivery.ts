import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@shared/config/app-config';
import { Database } from '@shared/database/database';
import type { Tx } from '@shared/database/tx';
import { EventLog } from '@shared/event-log/event-log';
import { TIKTOK_API, type TikTokApi, type TikTokAuth, type TikTokComment } from '@shared/tiktok/tiktok-api.port';
import { isTikTokError } from '@shared/tiktok/tiktok-error';
import { TIKTOK_ACCESS, type TikTokAccess } from '@modules/integrations/contracts';
import { COMMENT_EVENTS } from '../../domain/comment-events';
import {
  classifySendFailure,
  matchReadBack,
  READ_BACK_SKEW_MS,
  retryDelayMs,
  visibilityDelayMs,
  type DeliveryFailure,
} from '../../domain/delivery';
import { CommentRepository, type CommentRow } from '../../infrastructure/comment.repository';

/** A pending post with what sending needs: the TikTok id of the comment it answers. */
type DeliveryRow = CommentRow & { reply_to_tiktok_id: string | null };

/** Pages read back when looking for a post whose outcome is unknown (newest first). */
const READ_BACK_PAGES = 3;

/**
 * Sends a `pending` post (reply or top-level comment) and settles it, at most once
 * (DESIGN.md section 3; the rules are in domain/delivery.ts). Used by the request that created
 * the post and by the worker that finishes posts left behind; the caller holds the row's lease
 * (`delivery_lease_until`), so one process works a post at a time. Every state change and its
 * event commit together; a change only applies to a row still `pending`, so two settlers never
 * both emit (a `sent` found later still wins over `failed`: TikTok has it).
 */
@Injectable()
export class PostDelivery {
  private readonly log = new Logger('PostDelivery');
  readonly visibilityDelayMs: number;
  /** how long a sender may hold a post: the client's timeout with its own retries, plus margin */
  readonly leaseMs: number;

  constructor(
    private readonly db: Database,
    private readonly comments: CommentRepository,
    private readonly eventLog: EventLog,
    @Inject(TIKTOK_ACCESS) private readonly access: TikTokAccess,
    @Inject(TIKTOK_API) private readonly api: TikTokApi,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.visibilityDelayMs = visibilityDelayMs(config.tiktok.requestTimeoutMs);
    this.leaseMs = Math.max(30_000, 6 * config.tiktok.requestTimeoutMs);
  }

  /** Works one post as far as it can go now. Never throws for TikTok's answers. */
  async run(tenant: string, id: string): Promise<void> {
    const row = await this.db.inTenant(tenant, (tx) => this.load(tx, id));
    if (!row || row.delivery_state !== 'pending') return;
    if (row.outcome_unknown) await this.reconcile(tenant, row);
    else await this.send(tenant, row);
  }

  /**
   * Takes the lease of a due post for the worker. A post whose earlier attempt may have left
   * (`attempt_started_at` set: a crash or a lost answer) is marked outcome-unknown, so it is read
   * back and never sent again; one that certainly was not sent gets a fresh attempt.
   */
  async claim(tenant: string, id: string): Promise<boolean> {
    return this.db.inTenant(tenant, async (tx) => {
      const n = await tx.run(
        `update tiktok_comment set
           outcome_unknown = outcome_unknown or attempt_started_at is not null,
           attempt_started_at = coalesce(attempt_started_at, date_trunc('milliseconds', now())),
           delivery_attempts = delivery_attempts + case when attempt_started_at is null then 1 else 0 end,
           delivery_lease_until = now() + make_interval(secs => $2::double precision / 1000),
           updated_at = now()
         where tenant_id = current_setting('app.tenant_id') and id = $1 and delivery_state = 'pending'
           and (delivery_lease_until is null or delivery_lease_until < now())
           and (next_delivery_at is null or next_delivery_at <= now())`,
        [id, this.leaseMs],
      );
      return n === 1;
    });
  }

  private async send(tenant: string, row: DeliveryRow): Promise<void> {
    const isReply = row.tiktok_parent_id !== null;
    try {
      const created = await this.access.withAccess(tenant, row.integration_id, (auth) =>
        isReply
          ? this.api.createReply(auth, {
              videoId: row.tiktok_video_id,
              commentId: row.reply_to_tiktok_id ?? row.tiktok_parent_id!,
              text: row.text,
            })
          : this.api.createComment(auth, { videoId: row.tiktok_video_id, text: row.text }),
      );
      await this.markSent(tenant, row, created.commentId);
    } catch (err) {
      const outcome = classifySendFailure(err, isReply ? 'reply' : 'comment');
      switch (outcome.kind) {
        case 'retry':
          // TikTok certainly did not get it: clear the attempt so the worker may send again.
          await this.db.inTenant(tenant, (tx) =>
            tx.run(
              `update tiktok_comment set attempt_started_at = null, delivery_lease_until = null, updated_at = now(),
                      next_delivery_at = now() + make_interval(secs => $2::double precision / 1000)
                where tenant_id = current_setting('app.tenant_id') and id = $1 and delivery_state = 'pending'`,
              [row.id, retryDelayMs(row.delivery_attempts)],
            ),
          );
          return;
        case 'failed':
          await this.markFailed(tenant, row, outcome.reason);
          return;
        case 'unknown':
          if (!isTikTokError(err)) this.log.warn(`post ${row.id}: unexpected failure, reading back: ${(err as Error).message}`);
          await this.db.inTenant(tenant, (tx) =>
            tx.run(`update tiktok_comment set outcome_unknown = true, updated_at = now() where tenant_id = current_setting('app.tenant_id') and id = $1 and delivery_state = 'pending'`, [row.id]),
          );
          await this.reconcile(tenant, { ...row, outcome_unknown: true });
          return;
      }
    }
  }

  /** Reads TikTok back for a post that may have been made; found → sent, not found in time → failed. */
  private async reconcile(tenant: string, row: DeliveryRow): Promise<void> {
    const startedAt = row.attempt_started_at ?? row.posted_at;
    let found: TikTokComment | undefined;
    try {
      found = await this.access.withAccess(tenant, row.integration_id, (auth) => this.readBack(auth, tenant, row, startedAt));
    } catch (err) {
      this.log.warn(`post ${row.id}: read-back failed: ${(err as Error).message}`);
    }
    if (found) {
      await this.markSent(tenant, row, found.commentId);
      return;
    }
    const due = startedAt.getTime() + this.visibilityDelayMs;
    if (Date.now() >= due) {
      await this.markFailed(tenant, row, 'OUTCOME_UNKNOWN');
      return;
    }
    await this.db.inTenant(tenant, (tx) =>
      tx.run(
        `update tiktok_comment set delivery_lease_until = null, next_delivery_at = $2::timestamptz, updated_at = now()
          where tenant_id = current_setting('app.tenant_id') and id = $1 and delivery_state = 'pending'`,
        [row.id, new Date(due).toISOString()],
      ),
    );
  }

  private async readBack(auth: TikTokAuth, tenant: string, row: DeliveryRow, startedAt: Date): Promise<TikTokComment | undefined> {
    const notBefore = startedAt.getTime() - READ_BACK_SKEW_MS - 1000;
    const candidates: TikTokComment[] = [];
    let cursor: number | undefined;
    for (let i = 0; i < READ_BACK_PAGES; i++) {
      const page =
        row.tiktok_parent_id !== null
          ? await this.api.listReplies(auth, { videoId: row.tiktok_video_id, commentId: row.tiktok_parent_id, cursor, maxCount: 30 })
          : await this.api.listComments(auth, {
              videoId: row.tiktok_video_id,
              status: 'ALL',
              sortField: 'create_time',
              sortOrder: 'desc',
              cursor,
              maxCount: 30,
            });
      candidates.push(...page.items);
      const oldest = page.items.at(-1);
      if (!page.hasMore || (oldest && oldest.createTime.getTime() < notBefore)) break;
      cursor = page.cursor;
    }
    const known = await this.db.inTenant(tenant, (tx) =>
      this.comments.knownTikTokIds(
        tx,
        row.integration_id,
        candidates.map((c) => c.commentId),
      ),
    );
    return matchReadBack(candidates, { text: row.text, attemptStartedAt: startedAt, alreadyMatched: known });
  }

  /** `sent` with TikTok's id, its event, and the parent's reply count, in one transaction. */
  async markSent(tenant: string, row: CommentRow, tiktokCommentId: string, tx?: Tx): Promise<void> {
    const work = async (t: Tx): Promise<void> => {
      const updated = await t.one<{ id: string }>(
        `update tiktok_comment set delivery_state = 'sent', delivery_error = null, tiktok_comment_id = $2,
                outcome_unknown = false, delivery_lease_until = null, next_delivery_at = null, updated_at = now()
          where tenant_id = current_setting('app.tenant_id') and id = $1 and delivery_state <> 'sent' returning id`,
        [row.id, tiktokCommentId],
      );
      if (!updated) return;
      if (row.parent_id) {
        await t.run(`update tiktok_comment set reply_count = reply_count + 1, updated_at = now() where tenant_id = current_setting('app.tenant_id') and id = $1`, [row.parent_id]);
      }
      const isReply = row.tiktok_parent_id !== null;
      await this.eventLog.append(t, {
        type: isReply ? COMMENT_EVENTS.replied : COMMENT_EVENTS.posted,
        actor: { type: 'user', id: row.posted_by ?? 'unknown' },
        subject: { type: 'comment', id: row.id },
        integrationId: row.integration_id,
        data: { ...postData(tenant, row), tiktokCommentId, state: 'sent' },
      });
    };
    if (tx) await work(tx);
    else await this.db.inTenant(tenant, work);
  }

  private async markFailed(tenant: string, row: CommentRow, reason: DeliveryFailure): Promise<void> {
    await this.db.inTenant(tenant, async (tx) => {
      const updated = await tx.one<{ id: string }>(
        `update tiktok_comment set delivery_state = 'failed', delivery_error = $2, delivery_lease_until = null,
                next_delivery_at = null, updated_at = now()
          where tenant_id = current_setting('app.tenant_id') and id = $1 and delivery_state = 'pending' returning id`,
        [row.id, reason],
      );
      if (!updated) return;
      await this.eventLog.append(tx, {
        type: COMMENT_EVENTS.replyFailed,
        actor: { type: 'user', id: row.posted_by ?? 'unknown' },
        subject: { type: 'comment', id: row.id },
        integrationId: row.integration_id,
        data: { ...postData(tenant, row), tiktokCommentId: null, state: 'failed', error: reason },
      });
    });
  }

  private load(tx: Tx, id: string): Promise<DeliveryRow | undefined> {
    return tx.one<DeliveryRow>(
      `select c.*, t.tiktok_comment_id as reply_to_tiktok_id
         from tiktok_comment c left join tiktok_comment t on t.tenant_id = c.tenant_id and t.id = c.reply_to_id
        where c.tenant_id = current_setting('app.tenant_id') and c.id = $1`,
      [id],
    );
  }
}

/** What subscribers of the post events need (API.md: tenant, integration, video, ids, author, text, time). */
export function postData(tenant: string, row: CommentRow): Record<string, unknown> {
  return {
    tenant,
    integrationId: row.integration_id,
    videoId: row.video_id,
    tiktokVideoId: row.tiktok_video_id,
    commentId: row.id,
    kind: row.tiktok_parent_id !== null ? 'reply' : 'comment',
    parentId: row.parent_id,
    tiktokParentId: row.tiktok_parent_id,
    replyToId: row.reply_to_id,
    author: { username: row.author_username, displayName: row.author_display_name },
    text: row.text,
    postedBy: row.posted_by,
    postedAt: row.posted_at.toISOString(),
  };
}
