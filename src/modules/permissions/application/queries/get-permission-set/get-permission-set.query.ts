import { Query } from '@nestjs/cqrs';
import type { PermissionSetView } from '../permission-set.view';

/** One permission set of the tenant; `NotFoundError` when there is none with that id. */
export class GetPermissionSetQuery extends Query<PermissionSetView> {
  constructor(
    readonly tenant: string,
    readonly permissionSetId: string,
  ) {
    super();
  }
}
