import { Injectable } from '@nestjs/common';
import { uuidV7 } from '../database/uuid';
import { Subject } from 'rxjs';
import type { Tx } from '../database/tx';
import { dataDigest } from './chain';

/**
 * A member of `jcsObjectSql`: a SQL expression of type text (a JSON string, or null when NULL),
 * of type boolean, or an object of such members.
 */
export type JcsSqlMember = { text: string } | { boolean: string } | { object: Record<string, JcsSqlMember> };

/**
 * SQL that builds the RFC 8785 (JCS) text of a JSON object of strings, booleans, nulls and such
 * objects: exactly what `canonicalJson` writes for the same values in JavaScript. Keys are sorted
 * here by UTF-16 code units (plain names only), nothing is written between tokens, and strings
 * are escaped by PostgreSQL's `to_json`, which escapes as ECMAScript's JSON.stringify does for any
 * text PostgreSQL can hold ('"', backslash, \b \f \n \r \t, other control characters as
 * \u00xx in lowercase hex, everything else as it is). test/foundation/event-log-sql.e2e-spec.ts
 * compares the two on tricky text.
 */
export function jcsObjectSql(members: Record<string, JcsSqlMember>): string {
  const keys = Object.keys(members).sort();
  const parts = keys.map((k, i) => {
    if (!/^[A-Za-z0-9_]+$/.test(k)) throw new Error(`jcsObjectSql: key ${k} is not a plain name`);
    const m = members[k];
    const value =
      'object' in m ? jcsObjectSql(m.object) : 'boolean' in m ? `coalesce((${m.boolean})::text, 'null')` : `coalesce(to_json((${m.text})::text)::text, 'null')`;
    return `'${i === 0 ? '{' : ','}"${k}":' || ${value}`;
  });
  return parts.length === 0 ? `'{}'` : `(${parts.join(' || ')} || '}')`;
}
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
        id: e.id ?? uuidV7(),
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
   * occurred_at, actor, subject, data, data_digest, integration_id. Its `data` and `data_digest`
   * come from one JCS text (`jcsObjectSql`, `dataDigestSql`), so the digest is exactly that of
   * the stored data (`GET /events/verify` recomputes it). The sealer gives `seq` in insert order.
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
