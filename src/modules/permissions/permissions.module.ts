import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { PermissionSetsController } from './api/permission-sets.controller';
import { CanAccessIntegrationHandler, GetAccessScopeHandler, ListPermissionSetIdsByIntegrationHandler } from './application/access-scope.handlers';
import { PermissionSetsService } from './application/permission-sets.service';

/** Who may see which integration (permission sets), answered to every module through contract queries. */
@Module({
  imports: [CqrsModule],
  controllers: [PermissionSetsController],
  providers: [PermissionSetsService, GetAccessScopeHandler, CanAccessIntegrationHandler, ListPermissionSetIdsByIntegrationHandler],
})
export class PermissionsModule {}
