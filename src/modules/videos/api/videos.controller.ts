import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@shared/http/openapi';
import { Roles, User } from '@shared/auth/decorators';
import type { CurrentUser } from '@shared/auth/current-user';
import type { Page } from '@shared/http/cursor';
import { PageQueryDto } from '@shared/http/pagination.dto';
import { ListVideos } from '../application/queries/list-videos/list-videos.handler';
import type { VideoView } from '../domain/video';
import { VideoListResponse } from './videos.responses';

@ApiTags('videos')
@ApiBearerAuth()
@Roles('admin', 'agent')
@Controller('integrations/tiktok/:id/videos')
export class VideosController {
  constructor(private readonly listVideos: ListVideos) {}

  @Get()
  @ApiOperation({ operationId: 'listVideos', summary: 'The integration’s videos, newest first by postedAt, then id' })
  @ApiParam({ name: 'id', format: 'uuid', description: 'the integration' })
  @ApiOkResponse({ type: VideoListResponse })
  @ApiErrors({
    400: 'VALIDATION_FAILED: limit outside 1–200, or a bad cursor',
    404: 'NOT_FOUND: no such integration, or not shared with the caller',
  })
  list(@User() user: CurrentUser, @Param('id') id: string, @Query() q: PageQueryDto): Promise<Page<VideoView>> {
    return this.listVideos.execute({ tenant: user.tenant, userId: user.id, roles: user.roles }, id, q.limit ?? 50, q.cursor);
  }
}
