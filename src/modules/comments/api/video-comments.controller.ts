import { Body, Controller, Headers, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles, User } from '@shared/auth/decorators';
import type { CurrentUser } from '@shared/auth/current-user';
import { PostCommentService } from '../application/commands/post-comment.service';
import { PostTextDto } from './comments.dto';
import { sendPost } from './comments.controller';

/** A top-level comment from the account on its own video. */
@ApiTags('comments')
@ApiBearerAuth()
@Roles('admin', 'agent')
@Controller('integrations/tiktok/:id/videos/:videoId/comments')
export class VideoCommentsController {
  constructor(private readonly posts: PostCommentService) {}

  @Post()
  @ApiHeader({ name: 'Idempotency-Key', required: false })
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
