import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ListPermissionSetIdsByIntegrationQuery } from '@modules/integrations/contracts';
import { Database } from '@shared/database/database';
import {
  PERMISSION_SET_REPOSITORY,
  type PermissionSetRepositoryPort,
} from '../../../domain/permission-set.repository.port';

/** Integrations' extension query for its resource (`permissionSetIds`), answered from the sets. */
@QueryHandler(ListPermissionSetIdsByIntegrationQuery)
export class ListPermissionSetIdsByIntegrationHandler implements IQueryHandler<
  ListPermissionSetIdsByIntegrationQuery,
  Map<string, string[]>
> {
  constructor(
    private readonly db: Database,
    @Inject(PERMISSION_SET_REPOSITORY) private readonly sets: PermissionSetRepositoryPort,
  ) {}

  async execute(q: ListPermissionSetIdsByIntegrationQuery): Promise<Map<string, string[]>> {
    // every asked integration has an entry, [] when no set shares it
    const out = new Map<string, string[]>(q.integrationIds.map((id) => [id, []]));
    if (q.integrationIds.length === 0) return out;
    const pairs = await this.db.inTenant(q.tenant, (tx) =>
      this.sets.setIdsByIntegration(tx, q.integrationIds),
    );
    for (const p of pairs) out.get(p.integrationId)?.push(p.setId);
    return out;
  }
}
