import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Database } from '@shared/database/database';
import { NotFoundError } from '@shared/errors/domain-error';
import {
  PERMISSION_SET_REPOSITORY,
  type PermissionSetRepositoryPort,
} from '../../../domain/permission-set.repository.port';
import { permissionSetView, type PermissionSetView } from '../permission-set.view';
import { GetPermissionSetQuery } from './get-permission-set.query';

@QueryHandler(GetPermissionSetQuery)
export class GetPermissionSetHandler implements IQueryHandler<
  GetPermissionSetQuery,
  PermissionSetView
> {
  constructor(
    private readonly db: Database,
    @Inject(PERMISSION_SET_REPOSITORY) private readonly sets: PermissionSetRepositoryPort,
  ) {}

  async execute(q: GetPermissionSetQuery): Promise<PermissionSetView> {
    const record = await this.db.inTenant(q.tenant, (tx) => this.sets.find(tx, q.permissionSetId));
    if (!record) throw new NotFoundError('Permission set');
    return permissionSetView(record);
  }
}
