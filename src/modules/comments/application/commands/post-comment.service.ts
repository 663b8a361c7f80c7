import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@shared/config/app-config';
import { isUuid } from '@shared/database/uuid';
import { QueryBus } from '@nestjs/cqrs';
import { createHash } from 'node:crypto';
import { uuidV7 } from '@shared/database/uuid';
import type { CurrentUser } from '@shared/auth/current-user';
import { Database } from '@shared/database/database';
import { NotFoundError, ValidationFailedError } from '@shared/errors/domain-error';
import { EventLog } from '@shared/event-log/event-log';
import { GetIntegrationQuery, IntegrationNotActiveError, type IntegrationSummary } from '@modules/integrations/contracts';
import { CanAccessIntegrationQuery } from '@shared/auth/access-scope';
import { GetVideoQuery } from '@modules/videos/contracts';
import type { CommentView } from '../../domain/comment';
import { COMMENT_EVENTS } from '../../domain/comment-events';
import { CommentNotSentError, IdempotencyKeyInProgressError, IdempotencyKeyReusedError } from '../../domain/comment-errors';
import { commentText } from '../../domain/comment-text';
import { CommentRepository, toView, type CommentRow, type NewPost } from '../../infrastructure/comment.repository';
import { IdempotencyRepository, type IdempotencyKey } from '../../infrastructure/idempotency.repository';
import { CommentAccess, callerOf } from '../access';
import { PostDelivery, postData } from '../delivery/post-delivery';

export interface Warning {
  code: string;
  message: string;
}

export interface PostResult {
  status: number;
  comment: CommentView;
  warnings: Warning[];
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
const ANSWERED_WINDOW_MS = 60 * 60 * 1000;

/** Lost the race for an idempotency key to a concurrent request (its transaction rolls back). */
class KeyTaken extends Error {}

/**
 * `POST /comments/{id}/replies` and `POST /integrations/tiktok/{id}/videos/{videoId}/comments`.
 *
 * The post is written `pending` together with its `tiktok.reply.requested` event and the
 * Idempotency-Key row in one transaction, before TikTok is called; then `PostDelivery` sends and
 * settles it. A repeat of the key with the same body answers the first status with the post's
 * current state and sends nothing.
 */
@Injectable()
export class PostCommentService {
  private readonly log = new Logger('PostComment');

  constructor(
    private readonly db: Database,
    private readonly comments: CommentRepository,
    private readonly idempotency: IdempotencyRepository,
    private readonly access: CommentAccess,
    private readonly queries: QueryBus,
    private readonly eventLog: EventLog,
    private readonly delivery: PostDelivery,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  reply(user: CurrentUser, commentId: string, rawText: unknown, key: string | undefined): Promise<PostResult> {
    const text = commentText(rawText, this.config.tiktok.textLimit);
    return this.post(user, 'comments.reply', { commentId, text: rawText }, key, async () => {
      if (!isUuid(commentId)) throw new NotFoundError('Comment');
      const scope = await this.access.scope(user);
      const target = await this.db.inTenant(user.tenant, (tx) => this.comments.findInScope(tx, scope, commentId));
      if (!target || target.deleted) throw new NotFoundError('Comment');
      if (target.tiktok_comment_id === null) throw new CommentNotSentError();
      const integration = await this.activeIntegration(user.tenant, target.integration_id);
      return {
        target,
        post: (id: string, now: Date): NewPost => ({
          id,
          integrationId: target.integration_id,
          videoId: target.video_id,
          tiktokVideoId: target.tiktok_video_id,
          parentId: target.parent_id ?? target.id,
          tiktokParentId: target.tiktok_parent_id ?? target.tiktok_comment_id,
          replyToId: target.id,
          author: authorOf(integration),
          text,
          postedAt: now,
          postedBy: user.id,
          leaseUntil: new Date(now.getTime() + this.delivery.leaseMs),
        }),
      };
    });
  }

  comment(user: CurrentUser, integrationId: string, videoId: string, rawText: unknown, key: string | undefined): Promise<PostResult> {
    const text = commentText(rawText, this.config.tiktok.textLimit);
    return this.post(user, 'videos.comment', { integrationId, videoId, text: rawText }, key, async () => {
      if (!isUuid(integrationId) || !isUuid(videoId)) throw new NotFoundError('Video');
      const allowed = await this.queries.execute(new CanAccessIntegrationQuery(callerOf(user), integrationId));
      const video = allowed ? await this.queries.execute(new GetVideoQuery(user.tenant, videoId)) : null;
      if (!video || video.integrationId !== integrationId) throw new NotFoundError('Video');
      const integration = await this.activeIntegration(user.tenant, integrationId);
      return {
        target: null,
        post: (id: string, now: Date): NewPost => ({
          id,
          integrationId,
          videoId,
          tiktokVideoId: video.tiktokVideoId,
          parentId: null,
          tiktokParentId: null,
          replyToId: null,
          author: authorOf(integration),
          text,
          postedAt: now,
          postedBy: user.id,
          leaseUntil: new Date(now.getTime() + this.delivery.leaseMs),
        }),
      };
    });
  }

  private async activeIntegration(tenant: string, integrationId: string): Promise<IntegrationSummary> {
    const integration = await this.queries.execute(new GetIntegrationQuery(tenant, integrationId));
    if (!integration) throw new NotFoundError('Integration');
    if (integration.status !== 'active') throw new IntegrationNotActiveError(integration.status);
    return integration;
  }

  private async post(
    user: CurrentUser,
    route: string,
    request: Record<string, unknown>,
    rawKey: string | undefined,
    prepare: () => Promise<{ target: CommentRow | null; post: (id: string, now: Date) => NewPost }>,
  ): Promise<PostResult> {
    const key = this.keyOf(user, route, rawKey);
    const requestHash = createHash('sha256').update(JSON.stringify({ route, ...request })).digest('hex');
    if (key) {
      const replay = await this.replay(user, key, requestHash);
      if (replay) return replay;
    }
    const { target, post } = await prepare();
    const id = uuidV7();
    let warnings: Warning[] = [];
    try {
      await this.db.inTenant(user.tenant, async (tx) => {
        // Under a lock on the comment, so that of parallel replies to it each sees the pending ones
        // committed before it (READ COMMITTED: the check after the lock reads a fresh snapshot).
        if (target) await this.comments.lockForReply(tx, target.id);
        const now = new Date(); // ms precision: keyset cursors round-trip it exactly
        if (target && (await this.comments.answeredSince(tx, target, new Date(now.getTime() - ANSWERED_WINDOW_MS)))) {
          warnings = [{ code: 'ALREADY_ANSWERED', message: 'The account already replied to this comment in the last hour' }];
        }
        const row = post(id, now);
        await this.comments.insertPending(tx, row);
        if (key && !(await this.idempotency.claim(tx, key, { requestHash, commentId: id, statusCode: 201, warnings }))) {
          throw new KeyTaken();
        }
        const stored = await this.comments.find(tx, id);
        await this.eventLog.append(tx, {
          type: COMMENT_EVENTS.replyRequested,
          actor: { type: 'user', id: user.id },
          subject: { type: 'comment', id },
          integrationId: row.integrationId,
          data: { ...postData(user.tenant, stored!), state: 'pending' },
        });
      });
    } catch (err) {
      if (err instanceof KeyTaken && key) {
        const replay = await this.replay(user, key, requestHash);
        if (replay) return replay;
        throw new IdempotencyKeyInProgressError();
      }
      throw err;
    }
    try {
      await this.delivery.run(user.tenant, id);
    } catch (err) {
      // The post is stored as pending; the worker finishes it under the same rules.
      this.log.error(`post ${id}: delivery interrupted: ${(err as Error).message}`);
    }
    return this.db.inTenant(user.tenant, async (tx) => {
      if (key) await this.idempotency.complete(tx, key);
      const row = await this.comments.find(tx, id);
      return { status: 201, comment: toView(row!), warnings };
    });
  }

  /** The first answer again (current state), or a conflict; undefined when the key is new. */
  private async replay(user: CurrentUser, key: IdempotencyKey, requestHash: string): Promise<PostResult | undefined> {
    return this.db.inTenant(user.tenant, async (tx) => {
      const existing = await this.idempotency.find(tx, key, this.delivery.leaseMs);
      if (!existing) return undefined;
      if (existing.request_hash !== requestHash) throw new IdempotencyKeyReusedError();
      if (!existing.completed_at && !existing.stale) throw new IdempotencyKeyInProgressError();
      const row = await this.comments.find(tx, existing.comment_id);
      if (!row) throw new NotFoundError('Comment');
      return { status: existing.status_code, comment: toView(row), warnings: existing.warnings };
    });
  }

  private keyOf(user: CurrentUser, route: string, raw: string | undefined): IdempotencyKey | undefined {
    if (raw === undefined) return undefined;
    if (!IDEMPOTENCY_KEY.test(raw)) {
      throw new ValidationFailedError([{ field: 'Idempotency-Key', message: 'must be 1 to 200 printable ASCII characters' }]);
    }
    return { userId: user.id, route, key: raw };
  }
}

function authorOf(i: IntegrationSummary): NewPost['author'] {
  return { username: i.username ?? '', displayName: i.displayName, avatarUrl: null };
}
