import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { pageOf } from '@shared/http/openapi';

/** A video as the OpenAPI document describes it (API.md "Videos"). */
@ApiSchema({ name: 'Video' })
export class VideoResponse {
  @ApiProperty({ type: String, format: 'uuid' })
  id!: string;

  @ApiProperty({ type: String, format: 'uuid' })
  integrationId!: string;

  @ApiProperty({
    type: String,
    description: 'TikTok’s id (19 digits, a string)',
    example: '7109065174526479622',
  })
  tiktokVideoId!: string;

  @ApiProperty({
    type: String,
    format: 'uri',
    example: 'https://www.tiktok.com/@brand.one/video/7109065174526479622',
  })
  url!: string;

  @ApiProperty({ type: String, example: 'New drop' })
  caption!: string;

  @ApiProperty({ type: String, format: 'uri', nullable: true })
  thumbnailUrl!: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  postedAt!: string;

  @ApiProperty({ type: 'integer', example: 12 })
  commentCount!: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastCommentAt!: string | null;

  @ApiProperty({
    type: String,
    enum: ['sync', 'url'],
    description: 'found by the sync, or added by URL',
  })
  source!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  addedAt!: string;

  @ApiProperty({
    type: Boolean,
    nullable: true,
    description: 'TikTok’s is_ad (the post is promoted); null when TikTok did not say',
  })
  promoted!: boolean | null;
}

export const VideoListResponse = pageOf(VideoResponse, 'VideoList');
