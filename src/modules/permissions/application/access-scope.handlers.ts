import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Database } from '@shared/database/database';
import { CanAccessIntegrationQuery, GetAccessScopeQuery, type AccessScope, type Caller } from '@shared/auth/access-scope';
import { ListPermissionSetIdsByIntegrationQuery } from '@modules/integrations/contracts';

/** Admins see every integration of their tenant; agents those of the sets they belong to; auditors none. */
async function scopeOf(db: Database, caller: Caller): Promise<AccessScope> {
  if (caller.roles.includes('admin')) return { kind: 'all' };
  if (!caller.roles.includes('agent')) return { kind: 'some', integrationIds: [] };
  const rows = await db.inTenant(caller.tenant, (tx) =>
    tx.query<{ integration_id: string }>(
      `select distinct i.integration_id from permission_set_member m
         join permission_set_integration i on i.tenant_id = m.tenant_id and i.set_id = m.set_id
        where m.tenant_id = $1 and m.user_id = $2`,
      [caller.tenant, caller.userId],
    ),
  );
  return { kind: 'some', integrationIds: rows.map((r) => r.integration_id) };
}

@QueryHandler(GetAccessScopeQuery)
export class GetAccessScopeHandler implements IQueryHandler<GetAccessScopeQuery, AccessScope> {
  constructor(private readonly db: Database) {}
  execute(q: GetAccessScopeQuery): Promise<AccessScope> {
    return scopeOf(this.db, q.caller);
  }
}

@QueryHandler(CanAccessIntegrationQuery)
export class CanAccessIntegrationHandler implements IQueryHandler<CanAccessIntegrationQuery, boolean> {
  constructor(private readonly db: Database) {}
  async execute(q: CanAccessIntegrationQuery): Promise<boolean> {
    const scope = await scopeOf(this.db, q.caller);
    return scope.kind === 'all' || scope.integrationIds.includes(q.integrationId);
  }
}

@QueryHandler(ListPermissionSetIdsByIntegrationQuery)
export class ListPermissionSetIdsByIntegrationHandler implements IQueryHandler<ListPermissionSetIdsByIntegrationQuery, Map<string, string[]>> {
  constructor(private readonly db: Database) {}
  async execute(q: ListPermissionSetIdsByIntegrationQuery): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(q.integrationIds.map((id) => [id, []]));
    if (q.integrationIds.length === 0) return out;
    const rows = await this.db.inTenant(q.tenant, (tx) =>
      tx.query<{ integration_id: string; set_id: string }>(
        `select integration_id, set_id from permission_set_integration
          where tenant_id = $1 and integration_id = any($2::uuid[]) order by set_id`,
        [q.tenant, q.integrationIds],
      ),
    );
    for (const r of rows) out.get(r.integration_id)?.push(r.set_id);
    return out;
  }
}
