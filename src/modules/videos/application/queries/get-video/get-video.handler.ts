import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { isUuid } from '@shared/database/uuid';
import { Database } from '@shared/database/database';
import { GetVideoQuery, type VideoSummary } from '../../../contracts';
import { VideoRepository } from '../../../infrastructure/video.repository';

@QueryHandler(GetVideoQuery)
export class GetVideoHandler implements IQueryHandler<GetVideoQuery, VideoSummary | null> {
  constructor(
    private readonly db: Database,
    private readonly videos: VideoRepository,
  ) {}

  async execute(q: GetVideoQuery): Promise<VideoSummary | null> {
    if (!isUuid(q.videoId)) return null;
    return this.db.inTenant(q.tenant, (tx) => this.videos.find(tx, q.videoId));
  }
}
