import { Query } from '@nestjs/cqrs';

/**
 * The permissions module's public surface. Every module decides what an agent may see through
 * these queries; list endpoints turn the scope into a SQL filter (`integration_id = any(...)`),
 * never filtering after fetching.
 */

/** Who is asking (from the verified token). */
export interface Caller {
  tenant: string;
  userId: string;
  roles: readonly string[];
}

/** Which integrations a caller may see: all of the tenant's (admins) or a list (agents). */
export type AccessScope = { kind: 'all' } | { kind: 'some'; integrationIds: string[] };

/** The integrations a caller may see. */
export class GetAccessScopeQuery extends Query<AccessScope> {
  constructor(readonly caller: Caller) {
    super();
  }
}

/** Whether a caller may see one integration (false is answered as 404 by callers). */
export class CanAccessIntegrationQuery extends Query<boolean> {
  constructor(
    readonly caller: Caller,
    readonly integrationId: string,
  ) {
    super();
  }
}

/** Permission sets that contain each integration (for the Integration resource). */
export class ListPermissionSetIdsByIntegrationQuery extends Query<Map<string, string[]>> {
  constructor(
    readonly tenant: string,
    readonly integrationIds: string[],
  ) {
    super();
  }
}

/** True when the scope includes the integration. */
export function scopeIncludes(scope: AccessScope, integrationId: string): boolean {
  return scope.kind === 'all' || scope.integrationIds.includes(integrationId);
}
