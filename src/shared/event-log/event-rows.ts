import type { Actor, DeliveredEvent, SealedEvent, Subject } from './event.types';

/** Columns every sealed-event read selects (aliases `s` = event_seal, `e` = event_log). */
export const SEALED_COLUMNS = `s.seq, s.position, s.prev_hash, s.hash, e.id, e.tenant_id, e.type, e.occurred_at,
  e.actor, e.subject, e.data, e.data_digest, e.integration_id`;

export interface SealedRow {
  seq: string | number;
  position: string | number;
  prev_hash: string;
  hash: string;
  id: string;
  tenant_id: string;
  type: string;
  occurred_at: Date;
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
    occurredAt: r.occurred_at.toISOString(),
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
