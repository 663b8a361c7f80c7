import { Query } from '@nestjs/cqrs';

/**
 * The access scope: which of its tenant's integrations a caller may see. Like roles, it is an
 * authorization concept of the platform, so every module asks these queries from here and none
 * imports the permissions module; the permissions module answers them (its permission sets decide
 * what an agent sees). List endpoints turn the scope into a SQL filter
 * (`integration_id = any(...)`), never filtering after fetching.
 */

/** Who is asking (from the verified token). */
export interface Caller {
  tenant: string;
  userId: string;
  roles: readonly string[];
}

/** Which integrations a caller may see: all of the tenant's (admins) or a list (agents). */
export type AccessScope = { kind: 'all' } | { kind: 'some'; integrationIds: string[] };

/** The integrations a caller may see (answered by the permissions module). */
export class GetAccessScopeQuery extends Query<AccessScope> {
  constructor(readonly caller: Caller) {
    super();
  }
}

/** Whether a caller may see one integration (false is answered as 404 by callers; answered by the permissions module). */
export class CanAccessIntegrationQuery extends Query<boolean> {
  constructor(
    readonly caller: Caller,
    readonly integrationId: string,
  ) {
    super();
  }
}

/** True when the scope includes the integration. */
export function scopeIncludes(scope: AccessScope, integrationId: string): boolean {
  return scope.kind === 'all' || scope.integrationIds.includes(integrationId);
}
