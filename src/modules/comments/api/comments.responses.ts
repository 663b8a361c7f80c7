import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { pageOf } from '@shared/http/openapi';

/*
 * Comments as the OpenAPI document describes them (API.md "Comments"). Documentation only: the
 * routes return the domain's CommentView.
 */

@ApiSchema({ name: 'CommentAuthor' })
export class CommentAuthorResponse {
  @ApiProperty({ type: String, example: 'phoenix202312121' })
  username!: string;

  @ApiProperty({ type: String, example: 'Phoenix' })
  displayName!: string;

  @ApiProperty({ type: String, format: 'uri', nullable: true })
  avatarUrl!: string | null;
}

@ApiSchema({ name: 'CommentDelivery', description: 'set on replies and comments posted from Echo' })
export class CommentDeliveryResponse {
  @ApiProperty({
    type: String,
    enum: ['pending', 'sent', 'failed'],
    description: 'pending also covers a post whose outcome is being checked',
  })
  state!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'why it failed: TEXT_REJECTED, COMMENT_NOT_FOUND, VIDEO_NOT_FOUND, INTEGRATION_NOT_ACTIVE, OUTCOME_UNKNOWN, ...',
    example: null,
  })
  error!: string | null;

  @ApiProperty({
    type: String,
    description: 'the user id (token sub) who posted it',
    example: 'agent-7',
  })
  postedBy!: string;
}

@ApiSchema({ name: 'Comment' })
export class CommentResponse {
  @ApiProperty({ type: String, format: 'uuid' })
  id!: string;

  @ApiProperty({ type: String, format: 'uuid' })
  integrationId!: string;

  @ApiProperty({ type: String, format: 'uuid' })
  videoId!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'TikTok’s id (a string); null until sent',
    example: '7110150495453840777',
  })
  tiktokCommentId!: string | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'the thread’s top-level comment; null for a top-level one',
  })
  parentId!: string | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'the comment a reply posted from Echo answers (may be a reply in the thread)',
  })
  replyToId!: string | null;

  @ApiProperty({ type: CommentAuthorResponse })
  author!: CommentAuthorResponse;

  @ApiProperty({ type: String, example: 'where can I buy this?' })
  text!: string;

  @ApiProperty({ type: 'integer' })
  likeCount!: number;

  @ApiProperty({ type: 'integer' })
  replyCount!: number;

  @ApiProperty({ type: String, format: 'date-time' })
  postedAt!: string;

  @ApiProperty({
    type: Boolean,
    description: 'written by the connected account (in Echo or in TikTok’s app)',
  })
  fromAccount!: boolean;

  @ApiProperty({ type: Boolean })
  hidden!: boolean;

  @ApiProperty({ type: Boolean })
  deleted!: boolean;

  @ApiProperty({
    type: CommentDeliveryResponse,
    nullable: true,
    description: 'null unless posted from Echo',
  })
  delivery!: CommentDeliveryResponse | null;
}

@ApiSchema({ name: 'CommentWithReplies' })
export class CommentWithRepliesResponse extends CommentResponse {
  @ApiProperty({ type: [CommentResponse], description: 'the thread’s replies' })
  replies!: CommentResponse[];
}

@ApiSchema({ name: 'PostWarning' })
export class PostWarningResponse {
  @ApiProperty({
    type: String,
    example: 'ALREADY_ANSWERED',
    description: 'ALREADY_ANSWERED: the account already replied to that comment in the last hour',
  })
  code!: string;

  @ApiProperty({
    type: String,
    example: 'The account already replied to this comment in the last hour',
  })
  message!: string;
}

@ApiSchema({
  name: 'PostedComment',
  description:
    'the comment or reply just posted (or its current state, for a repeated Idempotency-Key)',
})
export class PostedCommentResponse extends CommentResponse {
  @ApiPropertyOptional({
    type: [PostWarningResponse],
    description: 'present only when there are warnings',
  })
  warnings?: PostWarningResponse[];
}

export const CommentListResponse = pageOf(CommentResponse, 'CommentList');
