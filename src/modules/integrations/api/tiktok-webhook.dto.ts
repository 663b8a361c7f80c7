import { ApiProperty, ApiSchema } from '@nestjs/swagger';

/**
 * TikTok's webhook envelope, for the OpenAPI document only: the route reads the raw bytes (the
 * signature covers them) and parses them itself, losslessly (ids may be JSON numbers).
 */
@ApiSchema({ name: 'TikTokWebhookDelivery' })
export class TikTokWebhookDeliveryDto {
  @ApiProperty({ type: String })
  client_key!: string;

  @ApiProperty({ type: String, example: 'comment.update' })
  event!: string;

  @ApiProperty({ type: 'integer', description: 'unix seconds' })
  create_time!: number;

  @ApiProperty({ type: String, description: 'the account’s open_id' })
  user_openid!: string;

  @ApiProperty({
    type: String,
    description:
      'a JSON string: comment_id, video_id, parent_comment_id, comment_type, comment_action, timestamp, unique_identifier, text',
  })
  content!: string;
}
