import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { GetAccessScopeQuery, type AccessScope } from '@shared/auth/access-scope';
import { Database } from '@shared/database/database';
import { accessByRole } from '../../../domain/access-rule';
import {
  PERMISSION_SET_REPOSITORY,
  type PermissionSetRepositoryPort,
} from '../../../domain/permission-set.repository.port';

/** The platform's access-scope question, answered from the permission sets. */
@QueryHandler(GetAccessScopeQuery)
export class GetAccessScopeHandler implements IQueryHandler<GetAccessScopeQuery, AccessScope> {
  constructor(
    private readonly db: Database,
    @Inject(PERMISSION_SET_REPOSITORY) private readonly sets: PermissionSetRepositoryPort,
  ) {}

  async execute({ caller }: GetAccessScopeQuery): Promise<AccessScope> {
    switch (accessByRole(caller.roles)) {
      case 'all':
        return { kind: 'all' };
      case 'none':
        return { kind: 'some', integrationIds: [] };
      case 'shared':
        return {
          kind: 'some',
          integrationIds: await this.db.inTenant(caller.tenant, (tx) =>
            this.sets.integrationIdsSharedWith(tx, caller.userId),
          ),
        };
    }
  }
}
