import { Injectable } from '@nestjs/common';
import { isUuid } from '@shared/database/uuid';
import type { CurrentUser } from '@shared/auth/current-user';
import { Database } from '@shared/database/database';
import { NotFoundError } from '@shared/errors/domain-error';
import { EventLog } from '@shared/event-log/event-log';
import type { CommentView } from '../../../domain/comment';
import { COMMENT_EVENTS } from '../../../domain/comment-events';
import { CommentRepository, toView } from '../../../infrastructure/comment.repository';
import { CommentAccess } from '../../access';

/** `GET /comments/{id}` with its replies; audited like the list, in the read's own transaction. */
@Injectable()
export class GetComment {
  constructor(
    private readonly db: Database,
    private readonly comments: CommentRepository,
    private readonly access: CommentAccess,
    private readonly eventLog: EventLog,
  ) {}

  async execute(user: CurrentUser, id: string): Promise<CommentView & { replies: CommentView[] }> {
    if (!isUuid(id)) throw new NotFoundError('Comment');
    const scope = await this.access.scope(user);
    return this.db.inTenant(user.tenant, async (tx) => {
      const row = await this.comments.findInScope(tx, scope, id);
      if (!row) throw new NotFoundError('Comment');
      const replies = (await this.comments.replies(tx, id)).map(toView);
      await this.eventLog.append(tx, {
        type: COMMENT_EVENTS.read,
        actor: { type: 'user', id: user.id },
        subject: { type: 'comment', id },
        integrationId: row.integration_id,
        data: {
          tenant: user.tenant,
          integrationId: row.integration_id,
          videoId: row.video_id,
          commentId: id,
          ids: [id, ...replies.map((r) => r.id)],
          filters: null,
        },
      });
      return { ...toView(row), replies };
    });
  }
}
