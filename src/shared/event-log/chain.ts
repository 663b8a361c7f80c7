import { hash } from 'node:crypto';
import { canonicalJson } from './jcs';
import type { Actor, Subject } from './event.types';

export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/** `dataDigest`: SHA-256 of the JCS form of `data`. */
export function dataDigest(data: unknown): string {
  return sha256Hex(canonicalJson(data));
}

export interface ChainFields {
  seq: number;
  id: string;
  type: string;
  occurredAt: string;
  tenant: string;
  actor: Actor;
  subject: Subject;
  dataDigest: string;
}

/** `hash` = SHA-256(prevHash ‖ JCS({seq, id, type, occurredAt, tenant, actor, subject, dataDigest})). */
export function chainHash(prevHash: string, f: ChainFields): string {
  const body = canonicalJson({
    seq: f.seq,
    id: f.id,
    type: f.type,
    occurredAt: f.occurredAt,
    tenant: f.tenant,
    actor: f.actor,
    subject: f.subject,
    dataDigest: f.dataDigest,
  });
  return sha256Hex(prevHash + body);
}

/** The redaction marker: `data` replaced, digest kept. */
export function isRedacted(data: unknown): boolean {
  return (
    typeof data === 'object' &&
    data !== null &&
    !Array.isArray(data) &&
    Object.keys(data).length === 1 &&
    (data as Record<string, unknown>).redacted === true
  );
}
