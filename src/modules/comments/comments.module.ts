import { Module } from '@nestjs/common';
import { CommentsController } from './api/comments.controller';
import { VideoCommentsController } from './api/video-comments.controller';
import { InboxSettingsController } from './api/inbox-settings.controller';
import { InboxStreamController } from './api/inbox-stream.controller';
import { CommentAccess } from './application/access';
import { CommentIngest, IngestCommentPagesHandler, IngestCommentsHandler } from './application/commands/ingest-comments/ingest-comments.handler';
import { ModerateCommentService } from './application/commands/moderate-comment.service';
import { PostCommentService } from './application/commands/post-comment.service';
import { PostDelivery } from './application/delivery/post-delivery';
import { PostDeliveryWorker } from './application/delivery/post-delivery.worker';
import { GetComment } from './application/queries/get-comment/get-comment.handler';
import { ListComments } from './application/queries/list-comments/list-comments.handler';
import { CommentRepository } from './infrastructure/comment.repository';
import { IdempotencyRepository } from './infrastructure/idempotency.repository';
import { CountSyncedCommentsHandler, GetCommentSyncStateHandler, ListStoredCommentIdsHandler, MarkCommentsDeletedHandler } from './application/sync/comment-sync.handlers';

/** The Social Media inbox: read (audited), reply, comment, hide, unhide, delete; ingest for the sync. */
@Module({
  controllers: [CommentsController, VideoCommentsController, InboxSettingsController, InboxStreamController],
  providers: [
    CommentRepository,
    IdempotencyRepository,
    CommentAccess,
    ListComments,
    GetComment,
    PostCommentService,
    ModerateCommentService,
    PostDelivery,
    PostDeliveryWorker,
    CommentIngest,
    IngestCommentsHandler,
    IngestCommentPagesHandler,
    CountSyncedCommentsHandler, GetCommentSyncStateHandler, ListStoredCommentIdsHandler, MarkCommentsDeletedHandler,
  ],
})
export class CommentsModule {}
