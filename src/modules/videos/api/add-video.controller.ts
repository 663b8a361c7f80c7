import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiSchema, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@shared/http/openapi';
import { IsString, MaxLength } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { Roles, User } from '@shared/auth/decorators';
import type { CurrentUser } from '@shared/auth/current-user';
import { AddVideoByUrl } from '../application/commands/add-video-by-url/add-video-by-url.handler';
import type { VideoView } from '../domain/video';
import { VideoResponse } from './videos.responses';

@ApiSchema({ name: 'AddVideoRequest' })
export class AddVideoDto {
  @ApiProperty({
    type: String,
    maxLength: 2048,
    description: 'a TikTok video URL: /@user/video/ID or /@user/photo/ID on tiktok.com (www., m.), m.tiktok.com/v/ID.html, /embed/ID, /embed/v2/ID, or a vm./vt./t/ short link',
    example: 'https://www.tiktok.com/@brand.one/video/7109065174526479622',
  })
  @IsString()
  @MaxLength(2048)
  url!: string;
}

@ApiTags('videos')
@ApiBearerAuth()
@Roles('admin', 'agent')
@Controller('integrations/tiktok/:id/videos')
export class AddVideoController {
  constructor(private readonly addVideo: AddVideoByUrl) {}

  /** 201 with the new video, 200 with the stored one when it is already there. */
  @Post()
  @ApiOperation({ operationId: 'addVideoByUrl', summary: 'Add a video of the account by its TikTok URL' })
  @ApiParam({ name: 'id', format: 'uuid', description: 'the integration' })
  @ApiCreatedResponse({ type: VideoResponse, description: 'the video was added (source "url"); its comments are imported right after' })
  @ApiOkResponse({ type: VideoResponse, description: 'the video was already there' })
  @ApiErrors({
    400: 'INVALID_VIDEO_URL: not a TikTok video URL; VALIDATION_FAILED: url missing, not a string or too long',
    404: 'NOT_FOUND: no such integration, or not shared with the caller',
    409: 'INTEGRATION_NOT_ACTIVE: the integration is reauth_required or disconnected',
    422: 'VIDEO_NOT_IN_ACCOUNT: TikTok does not list that video for this account',
  })
  async add(@User() user: CurrentUser, @Param('id') id: string, @Body() body: AddVideoDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<VideoView> {
    const res = await this.addVideo.execute({ tenant: user.tenant, userId: user.id, roles: user.roles }, id, body.url);
    void reply.status(res.created ? 201 : 200);
    return res.video;
  }
}
