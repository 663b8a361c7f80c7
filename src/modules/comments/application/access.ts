import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { CurrentUser } from '@shared/auth/current-user';
import { GetAccessScopeQuery, type AccessScope, type Caller } from '@shared/auth/access-scope';

/** The caller as the permissions module knows them. */
export function callerOf(user: CurrentUser): Caller {
  return { tenant: user.tenant, userId: user.id, roles: user.roles };
}

/** Asks the permissions module which integrations the caller may see (turned into SQL by the repository). */
@Injectable()
export class CommentAccess {
  constructor(private readonly queries: QueryBus) {}

  scope(user: CurrentUser): Promise<AccessScope> {
    return this.queries.execute(new GetAccessScopeQuery(callerOf(user)));
  }
}
