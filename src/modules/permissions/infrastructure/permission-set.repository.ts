import { Injectable } from '@nestjs/common';
import type { Tx } from '@shared/database/tx';
import { PermissionSet } from '../domain/permission-set.aggregate';
import type {
  PermissionSetRecord,
  PermissionSetRepositoryPort,
} from '../domain/permission-set.repository.port';

interface SetRow {
  id: string;
  name: string;
  created_at: Date;
  integration_ids: string[];
  member_ids: string[];
}

/** The set with its integrations and members as arrays (one round trip); `$1` is the tenant. */
const SELECT_SETS = `
  select s.id, s.name, s.created_at,
         coalesce((select array_agg(i.integration_id::text order by i.integration_id) from permission_set_integration i
                    where i.tenant_id = s.tenant_id and i.set_id = s.id), '{}')::text[] as integration_ids,
         coalesce((select array_agg(m.user_id order by m.user_id) from permission_set_member m
                    where m.tenant_id = s.tenant_id and m.set_id = s.id), '{}')::text[] as member_ids
    from permission_set s
   where s.tenant_id = $1`;

/** `unique (tenant_id, name)` of permission_set. */
const NAME_CONSTRAINT = 'permission_set_tenant_id_name_key';

function isNameTaken(err: unknown): boolean {
  const e = err as { code?: unknown; constraint?: unknown };
  return e.code === '23505' && e.constraint === NAME_CONSTRAINT;
}

function record(r: SetRow): PermissionSetRecord {
  return {
    id: r.id,
    name: r.name,
    integrationIds: r.integration_ids,
    memberIds: r.member_ids,
    createdAt: r.created_at,
  };
}

/** Every SQL statement of the permissions module. Rows in, rows out: no decisions here. */
@Injectable()
export class PermissionSetRepository implements PermissionSetRepositoryPort {
  async load(tx: Tx, id: string): Promise<PermissionSet | null> {
    const row = await tx.one<SetRow>(`${SELECT_SETS} and s.id = $2 for update of s`, [
      tx.tenant,
      id,
    ]);
    return row ? PermissionSet.restore(record(row)) : null;
  }

  async insert(tx: Tx, set: PermissionSet): Promise<boolean> {
    const s = set.state;
    const n = await tx.run(
      `with s as (insert into permission_set (tenant_id, id, name) values ($1, $2, $3) on conflict (tenant_id, name) do nothing returning id),
            i as (insert into permission_set_integration (tenant_id, set_id, integration_id)
                  select $1, s.id, x from s, unnest($4::uuid[]) x),
            m as (insert into permission_set_member (tenant_id, set_id, user_id)
                  select $1, s.id, x from s, unnest($5::text[]) x)
       select 1 from s`,
      [tx.tenant, s.id, s.name, s.integrationIds, s.memberIds],
    );
    return n === 1;
  }

  async save(tx: Tx, set: PermissionSet): Promise<boolean> {
    const s = set.state;
    try {
      // one statement: the rows the set no longer holds go, the ones it gained come, the name follows
      await tx.run(
        `with n as (update permission_set set name = $3 where tenant_id = $1 and id = $2 and name is distinct from $3),
              di as (delete from permission_set_integration where tenant_id = $1 and set_id = $2 and integration_id <> all($4::uuid[])),
              ii as (insert into permission_set_integration (tenant_id, set_id, integration_id)
                     select $1, $2, x from unnest($4::uuid[]) x on conflict do nothing),
              dm as (delete from permission_set_member where tenant_id = $1 and set_id = $2 and user_id <> all($5::text[])),
              im as (insert into permission_set_member (tenant_id, set_id, user_id)
                     select $1, $2, x from unnest($5::text[]) x on conflict do nothing)
         select 1`,
        [tx.tenant, s.id, s.name, s.integrationIds, s.memberIds],
      );
      return true;
    } catch (err) {
      if (isNameTaken(err)) return false;
      throw err;
    }
  }

  async delete(tx: Tx, set: PermissionSet): Promise<void> {
    // integrations and members go with it (on delete cascade)
    await tx.run('delete from permission_set where tenant_id = $1 and id = $2', [
      tx.tenant,
      set.id,
    ]);
  }

  async find(tx: Tx, id: string): Promise<PermissionSetRecord | null> {
    const row = await tx.one<SetRow>(`${SELECT_SETS} and s.id = $2`, [tx.tenant, id]);
    return row ? record(row) : null;
  }

  async list(tx: Tx): Promise<PermissionSetRecord[]> {
    const rows = await tx.query<SetRow>(`${SELECT_SETS} order by s.created_at, s.id`, [tx.tenant]);
    return rows.map(record);
  }

  async integrationIdsSharedWith(tx: Tx, userId: string): Promise<string[]> {
    const rows = await tx.query<{ integration_id: string }>(
      `select distinct i.integration_id from permission_set_member m
         join permission_set_integration i on i.tenant_id = m.tenant_id and i.set_id = m.set_id
        where m.tenant_id = $1 and m.user_id = $2`,
      [tx.tenant, userId],
    );
    return rows.map((r) => r.integration_id);
  }

  async isSharedWith(tx: Tx, userId: string, integrationId: string): Promise<boolean> {
    const row = await tx.one(
      `select 1 from permission_set_member m
         join permission_set_integration i on i.tenant_id = m.tenant_id and i.set_id = m.set_id
        where m.tenant_id = $1 and m.user_id = $2 and i.integration_id = $3
        limit 1`,
      [tx.tenant, userId, integrationId],
    );
    return row !== undefined;
  }

  async setIdsByIntegration(
    tx: Tx,
    integrationIds: readonly string[],
  ): Promise<{ integrationId: string; setId: string }[]> {
    const rows = await tx.query<{ integration_id: string; set_id: string }>(
      `select integration_id, set_id from permission_set_integration
        where tenant_id = $1 and integration_id = any($2::uuid[]) order by set_id`,
      [tx.tenant, integrationIds],
    );
    return rows.map((r) => ({ integrationId: r.integration_id, setId: r.set_id }));
  }
}
