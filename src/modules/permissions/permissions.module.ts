import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { PermissionSetsController } from './api/permission-sets.controller';
import { AddIntegrationToPermissionSetHandler } from './application/commands/add-integration-to-permission-set/add-integration-to-permission-set.handler';
import { AddMemberToPermissionSetHandler } from './application/commands/add-member-to-permission-set/add-member-to-permission-set.handler';
import { CreatePermissionSetHandler } from './application/commands/create-permission-set/create-permission-set.handler';
import { DeletePermissionSetHandler } from './application/commands/delete-permission-set/delete-permission-set.handler';
import { RemoveIntegrationFromPermissionSetHandler } from './application/commands/remove-integration-from-permission-set/remove-integration-from-permission-set.handler';
import { RemoveMemberFromPermissionSetHandler } from './application/commands/remove-member-from-permission-set/remove-member-from-permission-set.handler';
import { RenamePermissionSetHandler } from './application/commands/rename-permission-set/rename-permission-set.handler';
import { CanAccessIntegrationHandler } from './application/queries/can-access-integration/can-access-integration.handler';
import { GetAccessScopeHandler } from './application/queries/get-access-scope/get-access-scope.handler';
import { GetPermissionSetHandler } from './application/queries/get-permission-set/get-permission-set.handler';
import { ListPermissionSetIdsByIntegrationHandler } from './application/queries/list-permission-set-ids-by-integration/list-permission-set-ids-by-integration.handler';
import { ListPermissionSetsHandler } from './application/queries/list-permission-sets/list-permission-sets.handler';
import { PERMISSION_SET_REPOSITORY } from './domain/permission-set.repository.port';
import { PermissionSetRepository } from './infrastructure/permission-set.repository';

/**
 * Who may see which integration (permission sets). Answers the platform's access-scope queries
 * (`@shared/auth/access-scope`) and integrations' `ListPermissionSetIdsByIntegrationQuery`; asks
 * integrations only `GetIntegrationQuery`.
 */
@Module({
  imports: [CqrsModule],
  controllers: [PermissionSetsController],
  providers: [
    PermissionSetRepository,
    { provide: PERMISSION_SET_REPOSITORY, useExisting: PermissionSetRepository },
    CreatePermissionSetHandler,
    RenamePermissionSetHandler,
    DeletePermissionSetHandler,
    AddIntegrationToPermissionSetHandler,
    RemoveIntegrationFromPermissionSetHandler,
    AddMemberToPermissionSetHandler,
    RemoveMemberFromPermissionSetHandler,
    ListPermissionSetsHandler,
    GetPermissionSetHandler,
    GetAccessScopeHandler,
    CanAccessIntegrationHandler,
    ListPermissionSetIdsByIntegrationHandler,
  ],
})
export class PermissionsModule {}
