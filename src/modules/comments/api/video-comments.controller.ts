import { Body, Controller, Headers, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors, IDEMPOTENCY_KEY_HEADER } from '@shared/http/openapi';
import type { FastifyReply } from 'fastify';
import { Roles, User } from '@shared/auth/decorators';
import type { CurrentUser } from '@shared/auth/current-user';
import { PostCommentService } from '../application/commands/post-comment.service';
import { PostTextDto } from './comments.dto';
import { POST_ERRORS, sendPost } from './comments.controller';
import { PostedCommentResponse } from './comments.responses';

/** A top-level comment from the account on its own video. */
@ApiTags('comments')
@ApiBearerAuth()
@Roles('admin', 'agent')
@Controller('integrations/tiktok/:id/videos/:videoId/comments')
export class VideoCommentsController {
  constructor(private readonly posts: PostCommentService) {}

  @Post()
  @ApiOperation({
    operationId: 'commentOnVideo',
    summary: 'Post a top-level comment as the account on its own video',
    description: 'Same rules as a reply: sent, pending or failed; never posted twice; Idempotency-Key as for replies.',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'the integration' })
  @ApiParam({ name: 'videoId', format: 'uuid', description: 'the video (Echo id)' })
  @ApiHeader(IDEMPOTENCY_KEY_HEADER)
  @ApiCreatedResponse({ type: PostedCommentResponse, description: 'the comment' })
  @ApiErrors({ ...POST_ERRORS, 404: 'NOT_FOUND: no such integration or video, or not visible to the caller' })
  async create(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Param('videoId') videoId: string,
    @Body() body: PostTextDto,
    @Headers('idempotency-key') key: string | undefined,
    @Res() res: FastifyReply,
  ): Promise<void> {
    sendPost(res, await this.posts.comment(user, id, videoId, body?.text, key));
  }
}
