/** Who did it: a person (the token's `sub`) or the service itself. */
export interface Actor {
  type: 'user' | 'system';
  id: string;
}

/** What it is about. */
export interface Subject {
  type: string;
  id: string;
}

/** An event to append; `tenant` comes from the transaction. */
export interface NewEvent {
  /** `<context>.<noun>.<past-verb>`, e.g. `tiktok.comment.replied` */
  type: string;
  actor: Actor;
  subject: Subject;
  /** what subscribers need; personal data lives here so redaction keeps the chain valid */
  data: Record<string, unknown>;
  /** for the `integrationId` filter of GET /events */
  integrationId?: string | null;
  occurredAt?: Date;
  id?: string;
}

/** A sealed event exactly as the API returns it. */
export interface SealedEvent {
  seq: number;
  id: string;
  type: string;
  occurredAt: string;
  tenant: string;
  actor: Actor;
  subject: Subject;
  data: Record<string, unknown>;
  dataDigest: string;
  prevHash: string;
  hash: string;
}

/** A sealed event plus its global position (for consumers, not part of the API). */
export interface DeliveredEvent extends SealedEvent {
  position: number;
  integrationId: string | null;
}

export const GENESIS_HASH = '0'.repeat(64);
