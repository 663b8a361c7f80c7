import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Client } from 'pg';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/** First key of the liveness advisory locks (the second is `hashtext(owner)`). */
export const LIVENESS_LOCK_CLASS = 727_002;

/**
 * SQL condition, true while the instance named by the text column `ownerColumn` is alive: it
 * holds its liveness lock. PostgreSQL drops a session's advisory locks when its connection ends,
 * so a killed process (kill -9, a lost host) stops being alive as soon as the database notices its
 * connection is gone, instead of when its lease's time runs out. `pg_locks` is read once per
 * statement (a hashed subplan). A hash collision between two live owners can only make a dead
 * holder look alive, which falls back to waiting for its lease to lapse: never the other way.
 */
export function holderAliveSql(ownerColumn: string): string {
  return `(hashtext(${ownerColumn})::oid in (select objid from pg_locks
      where locktype = 'advisory' and classid = ${LIVENESS_LOCK_CLASS} and objsubid = 2 and granted
        and database = (select oid from pg_database where datname = current_database())))`;
}

/**
 * This instance's identity for leases (`host:pid:random`), backed by a session advisory lock on a
 * dedicated connection. A lease may only be taken under an owner whose lock is held (`owner()`
 * waits for it), so that every other instance can tell, from the database alone, whether the
 * holder of a lease is still there (`holderAliveSql`).
 *
 * If the dedicated connection dies, the lock is gone with it: other instances may take this
 * instance's leases at once. The next `owner()` then makes a new identity, so the runs still
 * working under the old one fail their next conditional write (their lease names the old owner)
 * and stop, and two instances never both hold one lease.
 */
@Injectable()
export class InstanceLiveness implements OnApplicationShutdown {
  private readonly log = new Logger('InstanceLiveness');
  private current: Promise<{ owner: string; client: Client }> | null = null;
  private closed = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** The owner id to lease under; its liveness lock is held when this resolves. */
  async owner(): Promise<string> {
    if (this.closed) throw new Error('instance liveness is closed (shutting down)');
    this.current ??= this.acquire();
    try {
      return (await this.current).owner;
    } catch (err) {
      this.current = null;
      throw err;
    }
  }

  private async acquire(): Promise<{ owner: string; client: Client }> {
    const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    const client = new Client({
      connectionString: this.config.databaseUrl,
      application_name: `echo-liveness ${owner}`.slice(0, 63),
    });
    const lost = (why: string) => {
      if (this.closed) return;
      this.log.warn(
        `lost the liveness connection (${why}): leases held as ${owner} may be taken over; a new identity is made`,
      );
      this.current = null;
      client.end().catch(() => undefined);
    };
    client.on('error', (err) => lost(err.message));
    client.on('end', () => lost('connection ended'));
    await client.connect();
    try {
      await client.query('select pg_advisory_lock($1, hashtext($2))', [LIVENESS_LOCK_CLASS, owner]);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw err;
    }
    return { owner, client };
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    const held = await this.current?.catch(() => null);
    this.current = null;
    if (held) {
      held.client.removeAllListeners('end');
      await held.client.end().catch(() => undefined);
    }
  }
}
