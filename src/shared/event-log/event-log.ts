import { Injectable } from '@nestjs/common';
import { uuidV7 } from '../database/uuid';
import { Subject } from 'rxjs';
import type { Tx } from '../database/tx';
import { dataDigest } from './chain';
import type { NewEvent } from './event.types';

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
    const tenant = tx.tenant;
    const rows = list.map((e, ord) => {
      // Normalise through JSON so the digest covers exactly what jsonb will give back.
      const data = JSON.parse(JSON.stringify(e.data ?? {})) as Record<string, unknown>;
      return {
        id: e.id ?? uuidV7(),
        tenant_id: tenant,
        type: e.type,
        occurred_at: (e.occurredAt ?? new Date()).toISOString(),
        actor: e.actor,
        subject: e.subject,
        data,
        data_digest: dataDigest(data),
        integration_id: e.integrationId ?? null,
        ord,
      };
    });
    // in the given order: the sealer gives `seq` in insert order
    await tx.run(
      EventLog.insertSelectSql(
        `select x.id, x.tenant_id, x.type, x.occurred_at, x.actor, x.subject, x.data, x.data_digest, x.integration_id
           from jsonb_to_recordset($1::jsonb) as x(id uuid, tenant_id text, type text, occurred_at timestamptz,
                actor jsonb, subject jsonb, data jsonb, data_digest text, integration_id uuid, ord int)
          order by x.ord`,
      ),
      [JSON.stringify(rows)],
    );
    this.appendsIn(tx);
    return rows.map((r) => r.id);
  }

  /**
   * For a writer whose own statement inserts its events (`insertSelectSql`): registers the
   * sealer's wake-up for after the transaction commits.
   */
  appendsIn(tx: Tx): void {
    tx.afterCommit(() => this.appended$.next());
  }

  /**
   * SQL for `data_digest` of an event whose `data` is parsed from the JCS text `jcs` (see
   * `jcsObjectSql`): the lowercase hex SHA-256 of that text's UTF-8 bytes, as API.md defines it.
   */
  static dataDigestSql(jcs: string): string {
    return `encode(sha256(convert_to(${jcs}, 'UTF8')), 'hex')`;
  }

  /**
   * `insert into event_log ...` of a query whose columns are, in this order: id, tenant_id, type,
   * occurred_at, actor, subject, data, data_digest, integration_id. The sealer gives `seq` in
   * insert order. A writer that builds `data` in SQL builds it and `data_digest` from one JCS text
   * (`jcsObjectSql`, `dataDigestSql`), so the digest is exactly that of the stored data
   * (`GET /events/verify` recomputes it).
   */
  static insertSelectSql(query: string): string {
    return `insert into event_log (id, tenant_id, type, occurred_at, actor, subject, data, data_digest, integration_id) ${query}`;
  }

}
