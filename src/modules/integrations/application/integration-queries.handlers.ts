import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Database } from '@shared/database/database';
import { GetIntegrationQuery, ListIntegrationsByAccountQuery, type IntegrationSummary } from '../contracts';
import { IntegrationRepository, type IntegrationRow } from '../infrastructure/integration.repository';

const summary = (r: IntegrationRow): IntegrationSummary => ({
  id: r.id,
  tenant: r.tenant_id,
  tiktokAccountId: r.open_id,
  username: r.username,
  displayName: r.display_name,
  status: r.status,
});

@QueryHandler(GetIntegrationQuery)
export class GetIntegrationHandler implements IQueryHandler<GetIntegrationQuery, IntegrationSummary | null> {
  constructor(private readonly db: Database) {}
  async execute(q: GetIntegrationQuery): Promise<IntegrationSummary | null> {
    if (!/^[0-9a-f-]{36}$/i.test(q.integrationId)) return null;
    const row = await this.db.inTenant(q.tenant, (tx) => IntegrationRepository.findById(tx, q.integrationId));
    return row ? summary(row) : null;
  }
}

/** Cross-tenant by design (webhook fan-out): system scope, read only. */
@QueryHandler(ListIntegrationsByAccountQuery)
export class ListIntegrationsByAccountHandler implements IQueryHandler<ListIntegrationsByAccountQuery, IntegrationSummary[]> {
  constructor(private readonly db: Database) {}
  async execute(q: ListIntegrationsByAccountQuery): Promise<IntegrationSummary[]> {
    const rows = await this.db.inSystem((tx) => IntegrationRepository.listByOpenId(tx, q.tiktokAccountId));
    return rows.map(summary);
  }
}
