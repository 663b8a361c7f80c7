import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Database } from '@shared/database/database';
import {
  PERMISSION_SET_REPOSITORY,
  type PermissionSetRepositoryPort,
} from '../../../domain/permission-set.repository.port';
import { permissionSetView, type PermissionSetView } from '../permission-set.view';
import { ListPermissionSetsQuery } from './list-permission-sets.query';

@QueryHandler(ListPermissionSetsQuery)
export class ListPermissionSetsHandler implements IQueryHandler<
  ListPermissionSetsQuery,
  PermissionSetView[]
> {
  constructor(
    private readonly db: Database,
    @Inject(PERMISSION_SET_REPOSITORY) private readonly sets: PermissionSetRepositoryPort,
  ) {}

  async execute(q: ListPermissionSetsQuery): Promise<PermissionSetView[]> {
    const records = await this.db.inTenant(q.tenant, (tx) => this.sets.list(tx));
    return records.map(permissionSetView);
  }
}
