import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { Database } from '@shared/database/database';
import type { Tx } from '@shared/database/tx';
import { EventLog } from '@shared/event-log/event-log';
import { NotFoundError } from '@shared/errors/domain-error';
import type { CurrentUser } from '@shared/auth/current-user';
import { GetIntegrationQuery } from '@modules/integrations/contracts';
import { PermissionSetNameTakenError } from '../domain/permission-set.errors';

export interface PermissionSetView {
  id: string;
  name: string;
  integrationIds: string[];
  memberIds: string[];
  createdAt: string;
}

type Change =
  | { kind: 'renamed'; from: string; to: string }
  | { kind: 'integration-added' | 'integration-removed'; integrationId: string }
  | { kind: 'member-added' | 'member-removed'; userId: string };

/**
 * Permission-set use cases. Each runs in one tenant transaction that changes the rows and appends
 * its `permissions.set.*` event, so the log and the state never disagree.
 */
@Injectable()
export class PermissionSetsService {
  constructor(
    private readonly db: Database,
    private readonly eventLog: EventLog,
    private readonly queries: QueryBus,
  ) {}

  async list(tenant: string): Promise<PermissionSetView[]> {
    return this.db.inTenant(tenant, (tx) => this.load(tx, null));
  }

  async get(tenant: string, id: string): Promise<PermissionSetView> {
    return this.db.inTenant(tenant, async (tx) => {
      const [set] = await this.load(tx, id);
      if (!set) throw new NotFoundError('Permission set');
      return set;
    });
  }

  async create(user: CurrentUser, name: string): Promise<PermissionSetView> {
    const id = randomUUID();
    return this.db.inTenant(user.tenant, async (tx) => {
      const inserted = await tx.run(
        `insert into permission_set (tenant_id, id, name) values ($1, $2, $3) on conflict (tenant_id, name) do nothing`,
        [user.tenant, id, name],
      );
      if (inserted === 0) throw new PermissionSetNameTakenError(name);
      await this.eventLog.append(tx, {
        type: 'permissions.set.created',
        actor: { type: 'user', id: user.id },
        subject: { type: 'permission-set', id },
        data: { permissionSetId: id, name },
      });
      const [set] = await this.load(tx, id);
      return set;
    });
  }

  async rename(user: CurrentUser, id: string, name: string): Promise<PermissionSetView> {
    return this.db.inTenant(user.tenant, async (tx) => {
      const [current] = await this.load(tx, id, true);
      if (!current) throw new NotFoundError('Permission set');
      if (current.name !== name) {
        const clash = await tx.one('select 1 from permission_set where tenant_id = $1 and name = $2 and id <> $3', [user.tenant, name, id]);
        if (clash) throw new PermissionSetNameTakenError(name);
        await tx.run('update permission_set set name = $3 where tenant_id = $1 and id = $2', [user.tenant, id, name]);
        await this.changed(tx, user, id, { kind: 'renamed', from: current.name, to: name });
      }
      const [set] = await this.load(tx, id);
      return set;
    });
  }

  async remove(user: CurrentUser, id: string): Promise<void> {
    await this.db.inTenant(user.tenant, async (tx) => {
      const [current] = await this.load(tx, id, true);
      if (!current) throw new NotFoundError('Permission set');
      await tx.run('delete from permission_set where tenant_id = $1 and id = $2', [user.tenant, id]);
      await this.eventLog.append(tx, {
        type: 'permissions.set.deleted',
        actor: { type: 'user', id: user.id },
        subject: { type: 'permission-set', id },
        data: { permissionSetId: id, name: current.name, integrationIds: current.integrationIds, memberIds: current.memberIds },
      });
    });
  }

  async addIntegration(user: CurrentUser, id: string, integrationId: string): Promise<void> {
    const integration = await this.queries.execute(new GetIntegrationQuery(user.tenant, integrationId));
    if (!integration) throw new NotFoundError('Integration');
    await this.db.inTenant(user.tenant, async (tx) => {
      await this.lockExisting(tx, user.tenant, id);
      const n = await tx.run(
        'insert into permission_set_integration (tenant_id, set_id, integration_id) values ($1, $2, $3) on conflict do nothing',
        [user.tenant, id, integrationId],
      );
      if (n === 1) await this.changed(tx, user, id, { kind: 'integration-added', integrationId });
    });
  }

  async removeIntegration(user: CurrentUser, id: string, integrationId: string): Promise<void> {
    await this.db.inTenant(user.tenant, async (tx) => {
      await this.lockExisting(tx, user.tenant, id);
      const n = await tx.run('delete from permission_set_integration where tenant_id = $1 and set_id = $2 and integration_id = $3', [
        user.tenant,
        id,
        integrationId,
      ]);
      if (n === 1) await this.changed(tx, user, id, { kind: 'integration-removed', integrationId });
    });
  }

  async addMember(user: CurrentUser, id: string, userId: string): Promise<void> {
    await this.db.inTenant(user.tenant, async (tx) => {
      await this.lockExisting(tx, user.tenant, id);
      const n = await tx.run('insert into permission_set_member (tenant_id, set_id, user_id) values ($1, $2, $3) on conflict do nothing', [
        user.tenant,
        id,
        userId,
      ]);
      if (n === 1) await this.changed(tx, user, id, { kind: 'member-added', userId });
    });
  }

  async removeMember(user: CurrentUser, id: string, userId: string): Promise<void> {
    await this.db.inTenant(user.tenant, async (tx) => {
      await this.lockExisting(tx, user.tenant, id);
      const n = await tx.run('delete from permission_set_member where tenant_id = $1 and set_id = $2 and user_id = $3', [user.tenant, id, userId]);
      if (n === 1) await this.changed(tx, user, id, { kind: 'member-removed', userId });
    });
  }

  private async lockExisting(tx: Tx, tenant: string, id: string): Promise<void> {
    const row = await tx.one('select 1 from permission_set where tenant_id = $1 and id = $2 for update', [tenant, id]);
    if (!row) throw new NotFoundError('Permission set');
  }

  private changed(tx: Tx, user: CurrentUser, id: string, change: Change): Promise<string[]> {
    return this.eventLog.append(tx, {
      type: 'permissions.set.changed',
      actor: { type: 'user', id: user.id },
      subject: { type: 'permission-set', id },
      data: { permissionSetId: id, ...change },
      integrationId: 'integrationId' in change ? change.integrationId : null,
    });
  }

  private async load(tx: Tx, id: string | null, lock = false): Promise<PermissionSetView[]> {
    const sets = await tx.query<{ id: string; name: string; created_at: Date }>(
      `select id, name, created_at from permission_set where ($1::uuid is null or id = $1) order by created_at, id ${lock ? 'for update' : ''}`,
      [id],
    );
    if (sets.length === 0) return [];
    const ids = sets.map((s) => s.id);
    const integrations = await tx.query<{ set_id: string; integration_id: string }>(
      'select set_id, integration_id from permission_set_integration where set_id = any($1::uuid[]) order by integration_id',
      [ids],
    );
    const members = await tx.query<{ set_id: string; user_id: string }>(
      'select set_id, user_id from permission_set_member where set_id = any($1::uuid[]) order by user_id',
      [ids],
    );
    return sets.map((s) => ({
      id: s.id,
      name: s.name,
      integrationIds: integrations.filter((i) => i.set_id === s.id).map((i) => i.integration_id),
      memberIds: members.filter((m) => m.set_id === s.id).map((m) => m.user_id),
      createdAt: s.created_at.toISOString(),
    }));
  }
}
