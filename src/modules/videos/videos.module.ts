import { Module } from '@nestjs/common';
import { VideosController } from './api/videos.controller';
import { AddVideoController } from './api/add-video.controller';
import { AddVideoByUrl } from './application/commands/add-video-by-url/add-video-by-url.handler';
import { TrackLastCommentWhenCommentReceivedHandler } from './application/event-handlers/track-last-comment-when-comment-received.handler';
import { UpsertVideosHandler } from './application/commands/upsert-videos/upsert-videos.handler';
import { GetVideoHandler } from './application/queries/get-video/get-video.handler';
import { ListVideos } from './application/queries/list-videos/list-videos.handler';
import { VideoRepository } from './infrastructure/video.repository';
import { FindVideoByTikTokIdHandler, ListVideosForSyncHandler, RecordVideoSyncHandler } from './application/sync/video-sync.handlers';

/** Videos of connected accounts: the list route and the contracts the sync and the inbox use. */
@Module({
  controllers: [VideosController, AddVideoController],
  providers: [VideoRepository, GetVideoHandler, UpsertVideosHandler, ListVideos, ListVideosForSyncHandler, FindVideoByTikTokIdHandler, RecordVideoSyncHandler, AddVideoByUrl, TrackLastCommentWhenCommentReceivedHandler],
})
export class VideosModule {}
