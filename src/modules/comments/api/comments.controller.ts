import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles, User } from '@shared/auth/decorators';
import type { CurrentUser } from '@shared/auth/current-user';
import type { Page } from '@shared/http/cursor';
import { ModerateCommentService } from '../application/commands/moderate-comment.service';
import { PostCommentService, type PostResult } from '../application/commands/post-comment.service';
import { GetComment } from '../application/queries/get-comment/get-comment.handler';
import { ListComments } from '../application/queries/list-comments/list-comments.handler';
import type { CommentView } from '../domain/comment';
import { ListCommentsQueryDto, PostTextDto } from './comments.dto';

/** Answers a post with its first status, and the warnings only when there are some. */
export function sendPost(reply: FastifyReply, r: PostResult): void {
  void reply.status(r.status).send(r.warnings.length > 0 ? { ...r.comment, warnings: r.warnings } : r.comment);
}

/** The Social Media inbox. */
@ApiTags('comments')
@ApiBearerAuth()
@Roles('admin', 'agent')
@Controller('comments')
export class CommentsController {
  constructor(
    private readonly listComments: ListComments,
    private readonly getComment: GetComment,
    private readonly posts: PostCommentService,
    private readonly moderation: ModerateCommentService,
  ) {}

  @Get()
  @ApiOkResponse({ description: 'comments and replies, newest first; the read is recorded' })
  list(@User() user: CurrentUser, @Query() q: ListCommentsQueryDto): Promise<Page<CommentView>> {
    return this.listComments.execute(
      user,
      { integrationId: q.integrationId, videoId: q.videoId, status: q.status ?? 'all', q: q.q, since: q.since },
      q.limit ?? 50,
      q.cursor,
    );
  }

  @Get(':id')
  @ApiOkResponse({ description: 'the comment with its replies; the read is recorded' })
  get(@User() user: CurrentUser, @Param('id') id: string): Promise<CommentView & { replies: CommentView[] }> {
    return this.getComment.execute(user, id);
  }

  @Post(':id/replies')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async reply(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Body() body: PostTextDto,
    @Headers('idempotency-key') key: string | undefined,
    @Res() res: FastifyReply,
  ): Promise<void> {
    sendPost(res, await this.posts.reply(user, id, body?.text, key));
  }

  @Post(':id/hide')
  @HttpCode(200)
  hide(@User() user: CurrentUser, @Param('id') id: string): Promise<CommentView> {
    return this.moderation.setHidden(user, id, true);
  }

  @Post(':id/unhide')
  @HttpCode(200)
  unhide(@User() user: CurrentUser, @Param('id') id: string): Promise<CommentView> {
    return this.moderation.setHidden(user, id, false);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  async remove(@User() user: CurrentUser, @Param('id') id: string): Promise<void> {
    await this.moderation.delete(user, id);
  }
}
