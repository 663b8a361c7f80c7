import { Module } from '@nestjs/common';
import { VideosController } from './api/videos.controller';
import { UpsertVideosHandler } from './application/commands/upsert-videos/upsert-videos.handler';
import { GetVideoHandler } from './application/queries/get-video/get-video.handler';
import { ListVideos } from './application/queries/list-videos/list-videos.handler';
import { VideoRepository } from './infrastructure/video.repository';

/** Videos of connected accounts: the list route and the contracts the sync and the inbox use. */
@Module({
  controllers: [VideosController],
  providers: [VideoRepository, GetVideoHandler, UpsertVideosHandler, ListVideos],
})
export class VideosModule {}
