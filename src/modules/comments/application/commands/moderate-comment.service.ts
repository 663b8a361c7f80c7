import { Inject, Injectable } from '@nestjs/common';
import { isUuid } from '@shared/database/uuid';
import { QueryBus } from '@nestjs/cqrs';
import type { CurrentUser } from '@shared/auth/current-user';
import { Database } from '@shared/database/database';
import { NotFoundError, RateLimitedError } from '@shared/errors/domain-error';
import { EventLog } from '@shared/event-log/event-log';
import { TIKTOK_API, type TikTokApi } from '@shared/tiktok/tiktok-api.port';
import { isTikTokError } from '@shared/tiktok/tiktok-error';
import { GetIntegrationQuery, IntegrationNotActiveError, TIKTOK_ACCESS, type TikTokAccess } from '@modules/integrations/contracts';
import type { CommentView } from '../../domain/comment';
import { COMMENT_EVENTS } from '../../domain/comment-events';
import { CommentNotSentError, NotOwnCommentError, TikTokRejectedError, TikTokUnavailableError } from '../../domain/comment-errors';
import { CommentRepository, toView, type CommentRow } from '../../infrastructure/comment.repository';
import { CommentAccess } from '../access';

/**
 * Hide, unhide and delete. TikTok is called first (these calls are safe to repeat), then the row
 * and its event are written in one transaction; a call TikTok refuses changes nothing here.
 */
@Injectable()
export class ModerateCommentService {
  constructor(
    private readonly db: Database,
    private readonly comments: CommentRepository,
    private readonly access: CommentAccess,
    private readonly queries: QueryBus,
    private readonly eventLog: EventLog,
    @Inject(TIKTOK_ACCESS) private readonly tiktok: TikTokAccess,
    @Inject(TIKTOK_API) private readonly api: TikTokApi,
  ) {}

  /** `POST /comments/{id}/hide|unhide`: idempotent; answers the comment as it now is. */
  async setHidden(user: CurrentUser, id: string, hide: boolean): Promise<CommentView> {
    const row = await this.target(user, id);
    if (row.deleted) throw new NotFoundError('Comment');
    if (row.tiktok_comment_id === null) throw new CommentNotSentError();
    await this.activeIntegration(user.tenant, row.integration_id);
    await this.call(user.tenant, row, (auth) =>
      this.api.hideComment(auth, { videoId: row.tiktok_video_id, commentId: row.tiktok_comment_id!, hide }),
    );
    return this.db.inTenant(user.tenant, async (tx) => {
      const changed = await tx.run(`update tiktok_comment set hidden = $2, updated_at = now() where tenant_id = current_setting('app.tenant_id') and id = $1 and hidden <> $2`, [id, hide]);
      await this.eventLog.append(tx, {
        type: hide ? COMMENT_EVENTS.hidden : COMMENT_EVENTS.unhidden,
        actor: { type: 'user', id: user.id },
        subject: { type: 'comment', id },
        integrationId: row.integration_id,
        data: { ...eventData(user.tenant, row), hidden: hide, changed: changed === 1 },
      });
      return toView((await this.comments.find(tx, id))!);
    });
  }

  /** `DELETE /comments/{id}`: only the account's own; a fan's is 403 and TikTok is not called. */
  async delete(user: CurrentUser, id: string): Promise<void> {
    const row = await this.target(user, id);
    if (!row.from_account) throw new NotOwnCommentError();
    if (row.deleted) return;
    if (row.delivery_state === 'pending') throw new CommentNotSentError();
    // A post that never reached TikTok (failed) is removed here only.
    if (row.tiktok_comment_id !== null) {
      await this.activeIntegration(user.tenant, row.integration_id);
      await this.call(user.tenant, row, (auth) => this.api.deleteComment(auth, { commentId: row.tiktok_comment_id! }), true);
    }
    await this.db.inTenant(user.tenant, async (tx) => {
      const n = await tx.run(`update tiktok_comment set deleted = true, deleted_at = now(), updated_at = now() where tenant_id = current_setting('app.tenant_id') and id = $1 and not deleted`, [id]);
      if (n === 0) return;
      if (row.parent_id && row.delivery_state !== 'failed') {
        await tx.run(`update tiktok_comment set reply_count = greatest(reply_count - 1, 0), updated_at = now() where tenant_id = current_setting('app.tenant_id') and id = $1`, [row.parent_id]);
      }
      await this.eventLog.append(tx, {
        type: COMMENT_EVENTS.deleted,
        actor: { type: 'user', id: user.id },
        subject: { type: 'comment', id },
        integrationId: row.integration_id,
        data: eventData(user.tenant, row),
      });
    });
  }

  private async target(user: CurrentUser, id: string): Promise<CommentRow> {
    if (!isUuid(id)) throw new NotFoundError('Comment');
    const scope = await this.access.scope(user);
    const row = await this.db.inTenant(user.tenant, (tx) => this.comments.findInScope(tx, scope, id));
    if (!row) throw new NotFoundError('Comment');
    return row;
  }

  private async activeIntegration(tenant: string, integrationId: string): Promise<void> {
    const integration = await this.queries.execute(new GetIntegrationQuery(tenant, integrationId));
    if (!integration) throw new NotFoundError('Comment');
    if (integration.status !== 'active') throw new IntegrationNotActiveError(integration.status);
  }

  /** Calls TikTok and maps its failure classes to answers; `goneIsDone`: not-found means already done. */
  private async call(
    tenant: string,
    row: CommentRow,
    fn: Parameters<TikTokAccess['withAccess']>[2],
    goneIsDone = false,
  ): Promise<void> {
    try {
      await this.tiktok.withAccess(tenant, row.integration_id, fn);
    } catch (err) {
      if (!isTikTokError(err)) throw err;
      switch (err.kind) {
        case 'not-found':
          if (goneIsDone) return;
          throw new NotFoundError('Comment');
        case 'rate-limited':
          throw new RateLimitedError(Math.max(1, Math.ceil((err.retryAfterMs ?? 60_000) / 1000)));
        case 'transient':
        case 'transient-unknown':
          throw new TikTokUnavailableError();
        case 'auth-expired':
        case 'auth-revoked':
          throw new IntegrationNotActiveError('reauth_required');
        case 'invalid':
          throw new TikTokRejectedError();
      }
    }
  }
}

function eventData(tenant: string, row: CommentRow): Record<string, unknown> {
  return {
    tenant,
    integrationId: row.integration_id,
    videoId: row.video_id,
    tiktokVideoId: row.tiktok_video_id,
    commentId: row.id,
    tiktokCommentId: row.tiktok_comment_id,
    parentId: row.parent_id,
    tiktokParentId: row.tiktok_parent_id,
    author: { username: row.author_username, displayName: row.author_display_name },
    text: row.text,
    fromAccount: row.from_account,
    postedAt: row.posted_at.toISOString(),
  };
}
