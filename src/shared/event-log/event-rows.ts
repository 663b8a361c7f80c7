import type { Actor, DeliveredEvent, SealedEvent, Subject } from './event.types';

/** Columns every sealed-event read selects (aliases `s` = event_seal, `e` = event_log). */
export const SEALED_COLUMNS = `s.seq, s.position, s.prev_hash, s.hash, e.id, e.tenant_id, e.type, e.occurred_at,
  e.actor, e.subject, e.data, e.data_digest, e.integration_id`;

/**
 * A `timestamptz` column as an ISO-8601 UTC string with milliseconds. MikroORM's PostgreSQL
 * connection installs type parsers that hand timestamps back as PostgreSQL text
 * (`2026-11-25 10:07:17.123+00`), not as `Date`; the chain hashes `occurredAt` in ISO form, so
 * every reader (sealer, API, verify) must turn both shapes into exactly the same string.
 */
export function isoTimestamp(v: Date | string): string {
  if (v instanceof Date) return v.toISOString();
  const d = new Date(v.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
  if (Number.isNaN(d.getTime())) throw new Error(`not a timestamp: ${v}`);
  return d.toISOString();
}

export interface SealedRow {
  seq: string | number;
  position: string | number;
  prev_hash: string;
  hash: string;
  id: string;
  tenant_id: string;
  type: string;
  occurred_at: Date | string;
  actor: Actor;
  subject: Subject;
  data: Record<string, unknown>;
  data_digest: string;
  integration_id: string | null;
}

export function toSealedEvent(r: SealedRow): SealedEvent {
  return {
    seq: Number(r.seq),
    id: r.id,
    type: r.type,
    occurredAt: isoTimestamp(r.occurred_at),
    tenant: r.tenant_id,
    actor: r.actor,
    subject: r.subject,
    data: r.data,
    dataDigest: r.data_digest,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export function toDeliveredEvent(r: SealedRow): DeliveredEvent {
  return { ...toSealedEvent(r), position: Number(r.position), integrationId: r.integration_id };
}
