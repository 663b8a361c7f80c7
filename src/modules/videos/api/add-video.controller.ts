import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { Roles, User } from '@shared/auth/decorators';
import type { CurrentUser } from '@shared/auth/current-user';
import { AddVideoByUrl } from '../application/commands/add-video-by-url/add-video-by-url.handler';
import type { VideoView } from '../domain/video';

export class AddVideoDto {
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
  @ApiCreatedResponse({ description: 'the video was added (source "url"); its comments are imported right after' })
  @ApiOkResponse({ description: 'the video was already there' })
  async add(@User() user: CurrentUser, @Param('id') id: string, @Body() body: AddVideoDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<VideoView> {
    const res = await this.addVideo.execute({ tenant: user.tenant, userId: user.id, roles: user.roles }, id, body.url);
    void reply.status(res.created ? 201 : 200);
    return res.video;
  }
}
