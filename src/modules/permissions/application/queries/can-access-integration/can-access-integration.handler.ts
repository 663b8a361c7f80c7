import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { CanAccessIntegrationQuery } from '@shared/auth/access-scope';
import { Database } from '@shared/database/database';
import { accessByRole } from '../../../domain/access-rule';
import {
  PERMISSION_SET_REPOSITORY,
  type PermissionSetRepositoryPort,
} from '../../../domain/permission-set.repository.port';

/**
 * Whether the caller may see one integration. For an admin it does not say the integration exists
 * (the caller asks Integrations that); for an agent it is true only for an integration one of
 * their sets shares.
 */
@QueryHandler(CanAccessIntegrationQuery)
export class CanAccessIntegrationHandler implements IQueryHandler<
  CanAccessIntegrationQuery,
  boolean
> {
  constructor(
    private readonly db: Database,
    @Inject(PERMISSION_SET_REPOSITORY) private readonly sets: PermissionSetRepositoryPort,
  ) {}

  async execute({ caller, integrationId }: CanAccessIntegrationQuery): Promise<boolean> {
    switch (accessByRole(caller.roles)) {
      case 'all':
        return true;
      case 'none':
        return false;
      case 'shared':
        return this.db.inTenant(caller.tenant, (tx) =>
          this.sets.isSharedWith(tx, caller.userId, integrationId),
        );
    }
  }
}
