import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
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
    const rows = list.map((e) => {
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
      };
    });
    await tx.run(
      `insert into event_log (id, tenant_id, type, occurred_at, actor, subject, data, data_digest, integration_id)
       select id, tenant_id, type, occurred_at, actor, subject, data, data_digest, integration_id
       from jsonb_to_recordset($1::jsonb) as x(id uuid, tenant_id text, type text, occurred_at timestamptz,
            actor jsonb, subject jsonb, data jsonb, data_digest text, integration_id uuid)`,
      [JSON.stringify(rows)],
    );
    tx.afterCommit(() => this.appended$.next());
    return rows.map((r) => r.id);
  }
}
