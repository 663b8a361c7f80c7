import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles, User } from '@shared/auth/decorators';
import type { CurrentUser } from '@shared/auth/current-user';
import type { Page } from '@shared/http/cursor';
import { PageQueryDto } from '@shared/http/pagination.dto';
import { ListVideos } from '../application/queries/list-videos/list-videos.handler';
import type { VideoView } from '../domain/video';

@ApiTags('videos')
@ApiBearerAuth()
@Roles('admin', 'agent')
@Controller('integrations/tiktok/:id/videos')
export class VideosController {
  constructor(private readonly listVideos: ListVideos) {}

  @Get()
  @ApiOkResponse({ description: 'the integration’s videos, newest first by postedAt, then id' })
  list(@User() user: CurrentUser, @Param('id') id: string, @Query() q: PageQueryDto): Promise<Page<VideoView>> {
    return this.listVideos.execute({ tenant: user.tenant, userId: user.id, roles: user.roles }, id, q.limit ?? 50, q.cursor);
  }
}
