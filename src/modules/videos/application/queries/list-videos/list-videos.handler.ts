import { Injectable } from '@nestjs/common';
import { isUuid } from '@shared/database/uuid';
import { QueryBus } from '@nestjs/cqrs';
import { Database } from '@shared/database/database';
import { NotFoundError } from '@shared/errors/domain-error';
import { decodeCursor, encodeCursor, isStorableDateText, type Page } from '@shared/http/cursor';
import { CanAccessIntegrationQuery, type Caller } from '@shared/auth/access-scope';
import { GetIntegrationQuery } from '@modules/integrations/contracts';
import type { VideoView } from '../../../domain/video';
import { VideoRepository } from '../../../infrastructure/video.repository';

const isVideoCursor = (v: Record<string, unknown>): v is { p: string; i: string } =>
  typeof v.p === 'string' && isStorableDateText(v.p) && typeof v.i === 'string' && isUuid(v.i);

/** `GET /integrations/tiktok/{id}/videos`: one keyset page; an integration the caller cannot see is a 404. */
@Injectable()
export class ListVideos {
  constructor(
    private readonly db: Database,
    private readonly videos: VideoRepository,
    private readonly queries: QueryBus,
  ) {}

  async execute(caller: Caller, integrationId: string, limit: number, cursor: string | undefined): Promise<Page<VideoView>> {
    const after = decodeCursor(cursor, isVideoCursor);
    if (!isUuid(integrationId)) throw new NotFoundError('Integration');
    const [integration, allowed] = await Promise.all([
      this.queries.execute(new GetIntegrationQuery(caller.tenant, integrationId)),
      this.queries.execute(new CanAccessIntegrationQuery(caller, integrationId)),
    ]);
    if (!integration || !allowed) throw new NotFoundError('Integration');
    const rows = await this.db.inTenant(caller.tenant, (tx) =>
      this.videos.page(tx, integrationId, after && { postedAt: after.p, id: after.i }, limit + 1),
    );
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodeCursor({ p: last.postedAt, i: last.id }) : null };
  }
}
