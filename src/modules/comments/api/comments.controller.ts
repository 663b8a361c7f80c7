import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles, User } from '@shared/auth/decorators';
import type { CurrentUser } from '@shared/auth/current-user';
import type { Page } from '@shared/http/cursor';
import { ApiErrors, IDEMPOTENCY_KEY_HEADER } from '@shared/http/openapi';
import { ModerateCommentService } from '../application/commands/moderate-comment.service';
import { PostCommentService, type PostResult } from '../application/commands/post-comment.service';
import { GetComment } from '../application/queries/get-comment/get-comment.handler';
import { ListComments } from '../application/queries/list-comments/list-comments.handler';
import type { CommentView } from '../domain/comment';
import { ListCommentsQueryDto, PostTextDto } from './comments.dto';
import { CommentListResponse, CommentResponse, CommentWithRepliesResponse, PostedCommentResponse } from './comments.responses';

const COMMENT_ID = ApiParam({ name: 'id', format: 'uuid', description: 'the comment' });
const NOT_FOUND = 'NOT_FOUND: no such comment (or deleted), or on an integration the caller may not see';
/** What a moderation call (hide, unhide, delete) can answer besides success. */
const MODERATION_ERRORS = {
  404: NOT_FOUND,
  409: 'INTEGRATION_NOT_ACTIVE: the integration is reauth_required or disconnected; COMMENT_NOT_SENT: the comment is not at TikTok (yet)',
  429: 'RATE_LIMITED: the account’s TikTok budget is spent (see Retry-After)',
  502: 'TIKTOK_REJECTED: TikTok refused the call',
  503: 'TIKTOK_UNAVAILABLE: TikTok could not be reached; try again shortly',
};
/** What a post (reply, comment) can answer besides success. */
export const POST_ERRORS = {
  400: 'VALIDATION_FAILED: text missing, not a string, empty after trimming or over the text limit (1,200 code points by default); or a bad Idempotency-Key',
  409:
    'INTEGRATION_NOT_ACTIVE: the integration is reauth_required or disconnected; IDEMPOTENCY_KEY_REUSED: the key was used with another body; ' +
    'IDEMPOTENCY_KEY_IN_PROGRESS: the first request with this key is still running',
};

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
  @ApiOperation({
    operationId: 'listComments',
    summary: 'Comments and replies, newest first (the read is recorded in the event log)',
    description: 'Fans’ and the account’s own, not deleted ones, only from integrations the caller may see; newest first by postedAt, then id.',
  })
  @ApiOkResponse({ type: CommentListResponse })
  @ApiErrors({ 400: 'VALIDATION_FAILED: a bad filter, limit outside 1–200, or a bad cursor' })
  list(@User() user: CurrentUser, @Query() q: ListCommentsQueryDto): Promise<Page<CommentView>> {
    return this.listComments.execute(
      user,
      { integrationId: q.integrationId, videoId: q.videoId, status: q.status ?? 'all', q: q.q, since: q.since },
      q.limit ?? 50,
      q.cursor,
    );
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getComment', summary: 'One comment with its replies (the read is recorded in the event log)' })
  @COMMENT_ID
  @ApiOkResponse({ type: CommentWithRepliesResponse })
  @ApiErrors({ 404: NOT_FOUND })
  get(@User() user: CurrentUser, @Param('id') id: string): Promise<CommentView & { replies: CommentView[] }> {
    return this.getComment.execute(user, id);
  }

  @Post(':id/replies')
  @ApiOperation({
    operationId: 'replyToComment',
    summary: 'Reply to a comment as the account',
    description:
      'The reply is sent when TikTok accepted it, pending while TikTok is unreachable or the outcome is being checked, failed (with error) when TikTok refused it; ' +
      'never posted twice. A repeated Idempotency-Key with the same body answers the first status with the reply’s current state.',
  })
  @COMMENT_ID
  @ApiHeader(IDEMPOTENCY_KEY_HEADER)
  @ApiCreatedResponse({ type: PostedCommentResponse, description: 'the reply, with warnings (ALREADY_ANSWERED) when there are some' })
  @ApiErrors({ ...POST_ERRORS, 404: NOT_FOUND, 409: `${POST_ERRORS[409]}; COMMENT_NOT_SENT: the comment replied to is not at TikTok (yet)` })
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
  @ApiOperation({ operationId: 'hideComment', summary: 'Hide a comment from the public at TikTok (idempotent)' })
  @COMMENT_ID
  @ApiOkResponse({ type: CommentResponse })
  @ApiErrors(MODERATION_ERRORS)
  hide(@User() user: CurrentUser, @Param('id') id: string): Promise<CommentView> {
    return this.moderation.setHidden(user, id, true);
  }

  @Post(':id/unhide')
  @HttpCode(200)
  @ApiOperation({ operationId: 'unhideComment', summary: 'Show a hidden comment again at TikTok (idempotent)' })
  @COMMENT_ID
  @ApiOkResponse({ type: CommentResponse })
  @ApiErrors(MODERATION_ERRORS)
  unhide(@User() user: CurrentUser, @Param('id') id: string): Promise<CommentView> {
    return this.moderation.setHidden(user, id, false);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteComment', summary: 'Delete one of the account’s own comments or replies at TikTok' })
  @COMMENT_ID
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiErrors({ ...MODERATION_ERRORS, 403: 'NOT_OWN_COMMENT: only the account’s own comments and replies can be deleted' })
  async remove(@User() user: CurrentUser, @Param('id') id: string): Promise<void> {
    await this.moderation.delete(user, id);
  }
}
