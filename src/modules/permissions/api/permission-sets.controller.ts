import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Put,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProperty,
  ApiSchema,
  ApiTags,
} from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { Roles, User } from '@shared/auth/decorators';
import type { CurrentUser } from '@shared/auth/current-user';
import { NotFoundError } from '@shared/errors/domain-error';
import type { Page } from '@shared/http/cursor';
import { ApiErrors } from '@shared/http/openapi';
import type { Actor } from '@shared/event-log/event.types';
import { AddIntegrationToPermissionSetCommand } from '../application/commands/add-integration-to-permission-set/add-integration-to-permission-set.command';
import { AddMemberToPermissionSetCommand } from '../application/commands/add-member-to-permission-set/add-member-to-permission-set.command';
import { CreatePermissionSetCommand } from '../application/commands/create-permission-set/create-permission-set.command';
import { DeletePermissionSetCommand } from '../application/commands/delete-permission-set/delete-permission-set.command';
import { RemoveIntegrationFromPermissionSetCommand } from '../application/commands/remove-integration-from-permission-set/remove-integration-from-permission-set.command';
import { RemoveMemberFromPermissionSetCommand } from '../application/commands/remove-member-from-permission-set/remove-member-from-permission-set.command';
import { RenamePermissionSetCommand } from '../application/commands/rename-permission-set/rename-permission-set.command';
import { GetPermissionSetQuery } from '../application/queries/get-permission-set/get-permission-set.query';
import { ListPermissionSetsQuery } from '../application/queries/list-permission-sets/list-permission-sets.query';
import type { PermissionSetView } from '../application/queries/permission-set.view';
import { PermissionSetListResponse, PermissionSetResponse } from './permission-sets.responses';

@ApiSchema({ name: 'PermissionSetName' })
export class PermissionSetNameDto {
  /** 1–100 characters, unique per tenant. */
  @ApiProperty({
    type: String,
    minLength: 1,
    maxLength: 100,
    description: '1–100 characters, not blank, unique per tenant',
    example: 'Support team',
  })
  @IsString()
  @Length(1, 100)
  @Matches(/\S/, { message: 'name must not be blank' })
  name!: string;
}

const uuid = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('Permission set') });
const integrationUuid = new ParseUUIDPipe({
  exceptionFactory: () => new NotFoundError('Integration'),
});

const SET_ID = ApiParam({ name: 'id', format: 'uuid', description: 'the permission set' });
const INTEGRATION_ID = ApiParam({
  name: 'integrationId',
  format: 'uuid',
  description: 'the TikTok integration',
});
const USER_ID = ApiParam({
  name: 'userId',
  description: 'a user id (token sub)',
  schema: { type: 'string', maxLength: 200 },
});
const NOT_FOUND = 'NOT_FOUND: no such permission set';

/** The person a change is recorded for in the log. */
function actorOf(user: CurrentUser): Actor {
  return { type: 'user', id: user.id };
}

/** Permission sets: which agents see which TikTok integrations. Admins only. Dispatches to the buses, nothing more. */
@ApiTags('permission-sets')
@ApiBearerAuth()
@Roles('admin')
@Controller('permission-sets')
export class PermissionSetsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({ operationId: 'createPermissionSet', summary: 'Create a permission set' })
  @ApiCreatedResponse({ type: PermissionSetResponse })
  @ApiErrors({
    400: 'VALIDATION_FAILED: name missing, blank or longer than 100',
    409: 'PERMISSION_SET_NAME_TAKEN: another set has that name',
  })
  async create(
    @User() user: CurrentUser,
    @Body() body: PermissionSetNameDto,
  ): Promise<PermissionSetView> {
    const id = await this.commands.execute(
      new CreatePermissionSetCommand(user.tenant, actorOf(user), body.name),
    );
    return this.queries.execute(new GetPermissionSetQuery(user.tenant, id));
  }

  @Get()
  @ApiOperation({
    operationId: 'listPermissionSets',
    summary: 'Every permission set of the tenant (one page)',
  })
  @ApiOkResponse({ type: PermissionSetListResponse })
  async list(@User() user: CurrentUser): Promise<Page<PermissionSetView>> {
    return {
      items: await this.queries.execute(new ListPermissionSetsQuery(user.tenant)),
      nextCursor: null,
    };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getPermissionSet', summary: 'One permission set' })
  @SET_ID
  @ApiOkResponse({ type: PermissionSetResponse })
  @ApiErrors({ 404: NOT_FOUND })
  get(@User() user: CurrentUser, @Param('id', uuid) id: string): Promise<PermissionSetView> {
    return this.queries.execute(new GetPermissionSetQuery(user.tenant, id));
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'renamePermissionSet', summary: 'Rename a permission set' })
  @SET_ID
  @ApiOkResponse({ type: PermissionSetResponse })
  @ApiErrors({
    400: 'VALIDATION_FAILED: name missing, blank or longer than 100',
    404: NOT_FOUND,
    409: 'PERMISSION_SET_NAME_TAKEN: another set has that name',
  })
  async rename(
    @User() user: CurrentUser,
    @Param('id', uuid) id: string,
    @Body() body: PermissionSetNameDto,
  ): Promise<PermissionSetView> {
    await this.commands.execute(
      new RenamePermissionSetCommand(user.tenant, actorOf(user), id, body.name),
    );
    return this.queries.execute(new GetPermissionSetQuery(user.tenant, id));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deletePermissionSet', summary: 'Delete a permission set' })
  @SET_ID
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiErrors({ 404: NOT_FOUND })
  remove(@User() user: CurrentUser, @Param('id', uuid) id: string): Promise<void> {
    return this.commands.execute(new DeletePermissionSetCommand(user.tenant, actorOf(user), id));
  }

  @Put(':id/integrations/:integrationId')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'addPermissionSetIntegration',
    summary: 'Share an integration with the set’s members (idempotent)',
  })
  @SET_ID
  @INTEGRATION_ID
  @ApiNoContentResponse({ description: 'the set includes the integration' })
  @ApiErrors({ 404: 'NOT_FOUND: no such permission set or integration' })
  addIntegration(
    @User() user: CurrentUser,
    @Param('id', uuid) id: string,
    @Param('integrationId', integrationUuid) integrationId: string,
  ): Promise<void> {
    return this.commands.execute(
      new AddIntegrationToPermissionSetCommand(user.tenant, actorOf(user), id, integrationId),
    );
  }

  @Delete(':id/integrations/:integrationId')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'removePermissionSetIntegration',
    summary: 'Stop sharing an integration with the set’s members (idempotent)',
  })
  @SET_ID
  @INTEGRATION_ID
  @ApiNoContentResponse({ description: 'the set does not include the integration' })
  @ApiErrors({ 404: 'NOT_FOUND: no such permission set or integration' })
  removeIntegration(
    @User() user: CurrentUser,
    @Param('id', uuid) id: string,
    @Param('integrationId', integrationUuid) integrationId: string,
  ): Promise<void> {
    return this.commands.execute(
      new RemoveIntegrationFromPermissionSetCommand(user.tenant, actorOf(user), id, integrationId),
    );
  }

  @Put(':id/members/:userId')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'addPermissionSetMember',
    summary: 'Add a user to the set (idempotent)',
  })
  @SET_ID
  @USER_ID
  @ApiNoContentResponse({ description: 'the user is a member' })
  @ApiErrors({ 404: NOT_FOUND })
  addMember(
    @User() user: CurrentUser,
    @Param('id', uuid) id: string,
    @Param('userId') userId: string,
  ): Promise<void> {
    return this.commands.execute(
      new AddMemberToPermissionSetCommand(user.tenant, actorOf(user), id, userId),
    );
  }

  @Delete(':id/members/:userId')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'removePermissionSetMember',
    summary: 'Remove a user from the set (idempotent)',
  })
  @SET_ID
  @USER_ID
  @ApiNoContentResponse({ description: 'the user is not a member' })
  @ApiErrors({ 404: NOT_FOUND })
  removeMember(
    @User() user: CurrentUser,
    @Param('id', uuid) id: string,
    @Param('userId') userId: string,
  ): Promise<void> {
    return this.commands.execute(
      new RemoveMemberFromPermissionSetCommand(user.tenant, actorOf(user), id, userId),
    );
  }
}
