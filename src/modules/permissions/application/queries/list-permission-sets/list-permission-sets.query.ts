import { Query } from '@nestjs/cqrs';
import type { PermissionSetView } from '../permission-set.view';

/** Every permission set of the tenant, oldest first. */
export class ListPermissionSetsQuery extends Query<PermissionSetView[]> {
  constructor(readonly tenant: string) {
    super();
  }
}
