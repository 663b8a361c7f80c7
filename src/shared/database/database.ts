import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Knex } from '@mikro-orm/knex';
import { Tx, reviveTimestamps, type PgConnection, type TxScope } from './tx';
import { isUuid } from './uuid';

interface PooledConnection extends PgConnection {
  __knex__disposed?: unknown;
}

const TENANT_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Ends a failed transaction; a connection that cannot even roll back is dropped by the pool. */
async function rollback(conn: PooledConnection): Promise<void> {
  await conn.query('rollback').catch((rollbackErr: unknown) => {
    conn.__knex__disposed = rollbackErr ?? 'rollback failed';
  });
}

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
    // Every background loop stops in beforeApplicationShutdown, before MikroORM closes the pool in
    // its onApplicationShutdown. Anything that still asks for a connection after that would wait
    // knex's 60 s acquire timeout and stall the shutdown: once the ORM is closing, fail fast.
    const close = orm.close.bind(orm);
    orm.close = (force?: boolean) => {
      this.closed = true;
      return close(force);
    };
  }

  /**
   * `opts.deferredCommit`: the commit returns before its WAL reaches the disk
   * (`synchronous_commit = off`). Only for work that can be redone from its source and whose
   * effects nobody sees before a durable commit: the sync's ingest of what TikTok lists and its
   * page checkpoints. A crash then loses at most the last fraction of a second of such work, all of
   * it together (the log is sequential: a lost page takes its checkpoint and events with it), and
   * the sync reads it again. Anything a client or an auditor is shown is committed durably after
   * it, and a durable commit flushes everything before it. Work that turns out to need a durable
   * commit after all calls `tx.requireDurableCommit()`: the choice is made at commit time.
   */
  inTenant<T>(tenant: string, work: (tx: Tx) => Promise<T>, opts: { deferredCommit?: boolean } = {}): Promise<T> {
    if (!TENANT_RE.test(tenant)) throw new Error('invalid tenant name');
    return this.run({ kind: 'tenant', tenant }, work, opts.deferredCommit === true);
  }

  /**
   * One read-only statement in a tenant transaction, in one round trip instead of three: `begin`,
   * the tenant setting, the statement and `commit` travel as one simple-protocol message (for
   * reads made before every TikTok call). Such a message takes no parameters, so the statement's
   * `$n` become literals of `uuids`: only UUIDs are accepted, each checked here, and nothing but hex
   * digits and dashes reaches the SQL.
   */
  async readInTenant<T>(tenant: string, sql: string, uuids: readonly string[]): Promise<T[]> {
    if (!TENANT_RE.test(tenant)) throw new Error('invalid tenant name');
    for (const u of uuids) if (!isUuid(u)) throw new Error('readInTenant takes UUIDs only');
    const statement = sql.replace(/\$(\d+)/g, (_, n: string) => {
      const u = uuids[Number(n) - 1];
      if (u === undefined) throw new Error(`readInTenant: no value for $${n}`);
      return `'${u}'`;
    });
    return this.onConnection(async (conn) => {
      try {
        const results = (await conn.query(
          `begin read only; select set_config('app.tenant_id', '${tenant}', true); ${statement}; commit`,
        )) as unknown as { rows: T[]; fields?: { name: string; dataTypeID: number }[] }[];
        return reviveTimestamps(results[2]);
      } catch (err) {
        await rollback(conn);
        throw err;
      }
    });
  }

  /** Cross-tenant work only. Keep its callers few and small. */
  inSystem<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.run({ kind: 'system' }, work);
  }

  /**
   * A transaction on a connection of MikroORM's pool, driven directly: `begin` and the scope
   * setting go in one round trip (the tenant is validated above, so it can be a literal), then
   * every statement with native `$n` parameters. Nothing here uses the ORM's unit of work.
   */
  private run<T>(scope: TxScope, work: (tx: Tx) => Promise<T>, deferredCommit = false): Promise<T> {
    return this.onConnection(async (conn) => {
      await conn.query(
        'begin; ' +
          (scope.kind === 'tenant' ? `select set_config('app.tenant_id', '${scope.tenant}', true)` : `select set_config('app.scope', 'system', true)`),
      );
      const tx = new Tx(conn, scope);
      let result: T;
      try {
        result = await work(tx);
        // synchronous_commit is read when the commit record is written, so it can be chosen here,
        // in the commit's own round trip
        await conn.query(deferredCommit && !tx.durableCommitRequired ? 'set local synchronous_commit = off; commit' : 'commit');
      } catch (err) {
        await rollback(conn);
        throw err;
      }
      tx.runAfterCommit();
      return result;
    });
  }

  /** A connection of MikroORM's pool for `use`, given back afterwards. */
  private async onConnection<T>(use: (conn: PooledConnection) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('the database is closed (shutting down)');
    const client = this.knex().client as { acquireConnection(): Promise<PooledConnection>; releaseConnection(c: PooledConnection): Promise<void> };
    const conn = await client.acquireConnection();
    try {
      return await use(conn);
    } finally {
      await client.releaseConnection(conn);
    }
  }

  private knex(): Knex {
    return (this.orm.em.getConnection() as unknown as { getKnex(): Knex }).getKnex();
  }

  /** A plain query outside any tenant (health checks). */
  async ping(): Promise<void> {
    await this.orm.em.getConnection().execute('select 1');
  }

  get em(): EntityManager {
    return this.orm.em as EntityManager;
  }
}
