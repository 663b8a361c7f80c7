import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Tx, type TxScope } from './tx';

const TENANT_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * The only way to reach tables. `inTenant` sets `app.tenant_id` for the transaction (row-level
 * security then hides every other tenant); `inSystem` sets `app.scope = 'system'` for the few
 * cross-tenant workers (sealer, scheduler, webhook intake, rate budgets). Both use
 * `set_config(..., true)`: transaction-local, so a pooled connection never leaks a tenant.
 */
@Injectable()
export class Database {
  private closed = false;

  constructor(@Inject(MikroORM) private readonly orm: MikroORM) {
    // Nest runs onApplicationShutdown hooks without reversing the init order, so MikroORM's (which
    // closes the pool) can run before a module's hook that stops its background loop. A loop tick
    // that then waits for a connection from the closed pool hangs for knex's 60 s acquire timeout
    // and stalls the whole shutdown. Once the ORM is closing, fail fast instead.
    const close = orm.close.bind(orm);
    orm.close = (force?: boolean) => {
      this.closed = true;
      return close(force);
    };
  }

  inTenant<T>(tenant: string, work: (tx: Tx) => Promise<T>): Promise<T> {
    if (!TENANT_RE.test(tenant)) throw new Error('invalid tenant name');
    return this.run({ kind: 'tenant', tenant }, work);
  }

  /** Cross-tenant work only. Keep its callers few and small. */
  inSystem<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.run({ kind: 'system' }, work);
  }

  private async run<T>(scope: TxScope, work: (tx: Tx) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('the database is closed (shutting down)');
    let tx!: Tx;
    const em = this.orm.em.fork() as EntityManager;
    const result = await em.transactional(async (tem) => {
      tx = new Tx(tem, scope);
      if (scope.kind === 'tenant') {
        await tx.query(`select set_config('app.tenant_id', $1, true)`, [scope.tenant]);
      } else {
        await tx.query(`select set_config('app.scope', 'system', true)`);
      }
      return work(tx);
    });
    tx.runAfterCommit();
    return result;
  }

  /** A plain query outside any tenant (health checks). */
  async ping(): Promise<void> {
    await this.orm.em.getConnection().execute('select 1');
  }

  get em(): EntityManager {
    return this.orm.em as EntityManager;
  }
}
