import { Injectable } from '@nestjs/common';
import { isUuid } from '@shared/database/uuid';
import type { CurrentUser } from '@shared/auth/current-user';
import { Database } from '@shared/database/database';
import { EventLog } from '@shared/event-log/event-log';
import { decodeCursor, encodeCursor, isStorableDateText, type Page } from '@shared/http/cursor';
import type { CommentFilters, CommentView } from '../../../domain/comment';
import { COMMENT_EVENTS } from '../../../domain/comment-events';
import { CommentRepository, toView } from '../../../infrastructure/comment.repository';
import { CommentAccess } from '../../access';

const isCommentCursor = (v: Record<string, unknown>): v is { p: string; i: string } =>
  typeof v.p === 'string' && isStorableDateText(v.p) && typeof v.i === 'string' && isUuid(v.i);

/**
 * `GET /comments`: a keyset page of the inbox. The read is audited: `tiktok.comments.read` (with
 * the ids returned) is appended in the same transaction as the select, so if the event cannot be
 * written the transaction fails and no data leaves.
 */
@Injectable()
export class ListComments {
  constructor(
    private readonly db: Database,
    private readonly comments: CommentRepository,
    private readonly access: CommentAccess,
    private readonly eventLog: EventLog,
  ) {}

  async execute(user: CurrentUser, filters: CommentFilters, limit: number, cursor: string | undefined): Promise<Page<CommentView>> {
    const after = decodeCursor(cursor, isCommentCursor);
    const scope = await this.access.scope(user);
    return this.db.inTenant(user.tenant, async (tx) => {
      const rows = await this.comments.page(tx, scope, filters, after && { postedAt: after.p, id: after.i }, limit + 1);
      const items = rows.slice(0, limit).map(toView);
      const last = items.at(-1);
      await this.eventLog.append(tx, {
        type: COMMENT_EVENTS.read,
        actor: { type: 'user', id: user.id },
        subject: { type: 'comment-list', id: filters.integrationId ?? user.tenant },
        integrationId: filters.integrationId ?? null,
        data: {
          tenant: user.tenant,
          ids: items.map((c) => c.id),
          filters: {
            integrationId: filters.integrationId ?? null,
            videoId: filters.videoId ?? null,
            status: filters.status,
            q: filters.q ?? null,
            since: filters.since?.toISOString() ?? null,
            limit,
            cursor: cursor ?? null,
          },
        },
      });
      return { items, nextCursor: rows.length > limit && last ? encodeCursor({ p: last.postedAt, i: last.id }) : null };
    });
  }
}
