import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Subject } from 'rxjs';
import type { Tx } from '../database/tx';
import { dataDigest } from './chain';
import type { NewEvent } from './event.types';

/** An event as `event_log` stores it, ready to insert (`EventLog.prepare`). */
export interface PreparedEvent {
  id: string;
  tenant_id: string;
  type: string;
  occurred_at: string;
  actor: NewEvent['actor'];
  subject: NewEvent['subject'];
  data: Record<string, unknown>;
  data_digest: string;
  integration_id: string | null;
  /** the caller's key for a join filter in `EventLog.insertSql` (not stored) */
  key: string | null;
  /** insert order (the sealer gives seq in insert order) */
  ord: number;
}

/**
 * Appends events inside the caller's transaction: the event exists if and only if the change it
 * records commits. Nothing else happens here; `seq` and the hash are the sealer's job.
 */
@Injectable()
export class EventLog {
  /** fires after a transaction that appended events commits: a wake-up hint for the sealer */
  readonly appended$ = new Subject<void>();

  async append(tx: Tx, events: NewEvent | NewEvent[]): Promise<string[]> {
    const list = Array.isArray(events) ? events : [events];
    if (list.length === 0) return [];
    const rows = this.prepare(tx, list.map((e) => ({ event: e })));
    await tx.run(EventLog.insertSql('$1'), [JSON.stringify(rows)]);
    return rows.map((r) => r.id);
  }

  /**
   * The rows `append` would insert (id, digest), for a caller that inserts them within one of its
   * own statements (`insertSql` in a CTE), so that an event can depend on what that statement
   * did (e.g. only for rows it inserted) without another round trip. Whatever the caller's
   * statement does not insert simply does not exist. Registers the sealer's wake-up.
   */
  prepare(tx: Tx, events: readonly { event: NewEvent; key?: string }[]): PreparedEvent[] {
    const tenant = tx.tenant;
    const rows = events.map(({ event: e, key }, ord) => {
      // Normalise through JSON so the digest covers exactly what jsonb will give back.
      const data = JSON.parse(JSON.stringify(e.data ?? {})) as Record<string, unknown>;
      return {
        id: e.id ?? randomUUID(),
        tenant_id: tenant,
        type: e.type,
        occurred_at: (e.occurredAt ?? new Date()).toISOString(),
        actor: e.actor,
        subject: e.subject,
        data,
        data_digest: dataDigest(data),
        integration_id: e.integrationId ?? null,
        key: key ?? null,
        ord,
      };
    });
    if (rows.length > 0) tx.afterCommit(() => this.appended$.next());
    return rows;
  }

  /**
   * For a writer whose own statement builds its events' rows in SQL (`insertSelectSql`), from
   * values it already sends for its change (a comment's row, say), instead of sending each event
   * as JSON too: an id and the `dataDigest` of each event's `data`. `data` holds plain JSON values
   * only (strings, numbers, booleans, null, plain objects and arrays: no Date, no undefined), and
   * the statement must build exactly that object: `GET /events/verify` recomputes every digest
   * from what is stored. Registers the sealer's wake-up.
   */
  digests(tx: Tx, data: readonly Record<string, unknown>[]): { id: string; dataDigest: string }[] {
    if (data.length > 0) tx.afterCommit(() => this.appended$.next());
    return data.map((d) => ({ id: randomUUID(), dataDigest: dataDigest(d) }));
  }

  /**
   * `insert into event_log ...` of a query whose columns are, in this order: id, tenant_id, type,
   * occurred_at, actor, subject, data, data_digest, integration_id (see `digests`). The sealer gives
   * `seq` in insert order: the query orders its rows.
   */
  static insertSelectSql(query: string): string {
    return `insert into event_log (id, tenant_id, type, occurred_at, actor, subject, data, data_digest, integration_id) ${query}`;
  }

  /**
   * `insert into event_log ...` of prepared rows given as JSON in parameter `param`, in their
   * order; `join` (optional) may join and filter on `x.key`, e.g. `join up on up.id = x.key::uuid`.
   */
  static insertSql(param: string, join = ''): string {
    return `insert into event_log (id, tenant_id, type, occurred_at, actor, subject, data, data_digest, integration_id)
       select x.id, x.tenant_id, x.type, x.occurred_at, x.actor, x.subject, x.data, x.data_digest, x.integration_id
       from jsonb_to_recordset(${param}::jsonb) as x(id uuid, tenant_id text, type text, occurred_at timestamptz,
            actor jsonb, subject jsonb, data jsonb, data_digest text, integration_id uuid, key text, ord int) ${join}
       order by x.ord`;
  }
}
