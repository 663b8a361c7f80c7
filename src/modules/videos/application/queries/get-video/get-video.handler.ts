import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Database } from '@shared/database/database';
import { GetVideoQuery, type VideoSummary } from '../../../contracts';
import { VideoRepository } from '../../../infrastructure/video.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@QueryHandler(GetVideoQuery)
export class GetVideoHandler implements IQueryHandler<GetVideoQuery, VideoSummary | null> {
  constructor(
    private readonly db: Database,
    private readonly videos: VideoRepository,
  ) {}

  async execute(q: GetVideoQuery): Promise<VideoSummary | null> {
    if (!UUID.test(q.videoId)) return null;
    return this.db.inTenant(q.tenant, (tx) => this.videos.find(tx, q.videoId));
  }
}
