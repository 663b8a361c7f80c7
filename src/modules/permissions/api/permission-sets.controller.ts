import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { Roles, User } from '@shared/auth/decorators';
import type { CurrentUser } from '@shared/auth/current-user';
import { NotFoundError } from '@shared/errors/domain-error';
import type { Page } from '@shared/http/cursor';
import { PermissionSetsService, type PermissionSetView } from '../application/permission-sets.service';

export class PermissionSetNameDto {
  /** 1–100 characters, unique per tenant. */
  @IsString()
  @Length(1, 100)
  @Matches(/\S/, { message: 'name must not be blank' })
  name!: string;
}

const uuid = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('Permission set') });
const integrationUuid = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('Integration') });

/** Permission sets: which agents see which TikTok integrations. Admins only. */
@ApiTags('permission-sets')
@ApiBearerAuth()
@Roles('admin')
@Controller('permission-sets')
export class PermissionSetsController {
  constructor(private readonly sets: PermissionSetsService) {}

  @Post()
  create(@User() user: CurrentUser, @Body() body: PermissionSetNameDto): Promise<PermissionSetView> {
    return this.sets.create(user, body.name.trim());
  }

  @Get()
  async list(@User() user: CurrentUser): Promise<Page<PermissionSetView>> {
    return { items: await this.sets.list(user.tenant), nextCursor: null };
  }

  @Get(':id')
  get(@User() user: CurrentUser, @Param('id', uuid) id: string): Promise<PermissionSetView> {
    return this.sets.get(user.tenant, id);
  }

  @Patch(':id')
  rename(@User() user: CurrentUser, @Param('id', uuid) id: string, @Body() body: PermissionSetNameDto): Promise<PermissionSetView> {
    return this.sets.rename(user, id, body.name.trim());
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@User() user: CurrentUser, @Param('id', uuid) id: string): Promise<void> {
    return this.sets.remove(user, id);
  }

  @Put(':id/integrations/:integrationId')
  @HttpCode(204)
  addIntegration(@User() user: CurrentUser, @Param('id', uuid) id: string, @Param('integrationId', integrationUuid) integrationId: string): Promise<void> {
    return this.sets.addIntegration(user, id, integrationId);
  }

  @Delete(':id/integrations/:integrationId')
  @HttpCode(204)
  removeIntegration(@User() user: CurrentUser, @Param('id', uuid) id: string, @Param('integrationId', integrationUuid) integrationId: string): Promise<void> {
    return this.sets.removeIntegration(user, id, integrationId);
  }

  @Put(':id/members/:userId')
  @HttpCode(204)
  addMember(@User() user: CurrentUser, @Param('id', uuid) id: string, @Param('userId') userId: string): Promise<void> {
    return this.sets.addMember(user, id, userId);
  }

  @Delete(':id/members/:userId')
  @HttpCode(204)
  removeMember(@User() user: CurrentUser, @Param('id', uuid) id: string, @Param('userId') userId: string): Promise<void> {
    return this.sets.removeMember(user, id, userId);
  }
}
