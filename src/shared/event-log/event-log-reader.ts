import { Inject, Injectable } from '@nestjs/common';
import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { Database } from '../database/database';
import { chainHash, dataDigest, isRedacted } from './chain';
import { checkpointPayload } from './checkpointer';
import { SEALED_COLUMNS, toSealedEvent, type SealedRow } from './event-rows';
import { GENESIS_HASH, type SealedEvent } from './event.types';

export interface EventFilter {
  type?: string;
  actorId?: string;
  integrationId?: string;
  from?: Date;
  to?: Date;
  /** only events with seq greater than this */
  afterSeq?: number;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  firstBadSeq: number | null;
  lastCheckpointSeq: number | null;
  redacted: number;
}

export interface Checkpoint {
  tenant: string;
  seq: number;
  hash: string;
  signedAt: string;
  signature: string;
}

/** Reads a tenant's sealed events: pages, verification, export and streaming all come here. */
@Injectable()
export class EventLogReader {
  constructor(
    private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Sealed events in seq order after `filter.afterSeq`, at most `limit`. */
  async page(tenant: string, filter: EventFilter, limit: number): Promise<SealedEvent[]> {
    const where: string[] = ['s.tenant_id = $1', 's.seq > $2'];
    const params: unknown[] = [tenant, filter.afterSeq ?? 0];
    const add = (cond: string, v: unknown) => {
      params.push(v);
      where.push(cond.replace('?', `$${params.length}`));
    };
    if (filter.type) add('e.type = ?', filter.type);
    if (filter.actorId) add(`e.actor->>'id' = ?`, filter.actorId);
    if (filter.integrationId) add('e.integration_id = ?::uuid', filter.integrationId);
    if (filter.from) add('e.occurred_at >= ?', filter.from);
    if (filter.to) add('e.occurred_at < ?', filter.to);
    params.push(limit);
    const rows = await this.db.inTenant(tenant, (tx) =>
      tx.query<SealedRow>(
        `select ${SEALED_COLUMNS} from event_seal s join event_log e on e.id = s.event_id
          where ${where.join(' and ')} order by s.seq limit $${params.length}`,
        params,
      ),
    );
    return rows.map(toSealedEvent);
  }

  /** The highest sealed seq of the tenant (0 when none). */
  async headSeq(tenant: string): Promise<number> {
    const row = await this.db.inTenant(tenant, (tx) =>
      tx.one<{ seq: string }>('select seq from event_chain_head where tenant_id = $1', [tenant]),
    );
    return Number(row?.seq ?? 0);
  }

  /**
   * Recomputes the tenant's whole chain from seq 1 and checks it against the newest checkpoint
   * (its signature, that the log still reaches its seq, and that the hash there matches).
   */
  async verify(tenant: string): Promise<VerifyResult> {
    let expectedSeq = 1;
    let prev = GENESIS_HASH;
    let firstBad: number | null = null;
    let redacted = 0;
    const hashAt = new Map<number, string>();
    const cp = await this.latestCheckpoint(tenant);
    for (;;) {
      const batch = await this.db.inTenant(tenant, (tx) =>
        tx.query<SealedRow>(
          `select ${SEALED_COLUMNS} from event_seal s join event_log e on e.id = s.event_id
            where s.tenant_id = $1 and s.seq >= $2 order by s.seq limit 2000`,
          [tenant, expectedSeq],
        ),
      );
      if (batch.length === 0) break;
      for (const r of batch) {
        const ev = toSealedEvent(r);
        if (ev.seq !== expectedSeq) {
          firstBad ??= expectedSeq;
        } else if (ev.prevHash !== prev) {
          firstBad ??= ev.seq;
        } else {
          if (isRedacted(ev.data)) redacted += 1;
          else if (dataDigest(ev.data) !== ev.dataDigest) firstBad ??= ev.seq;
          if (chainHash(prev, ev) !== ev.hash) firstBad ??= ev.seq;
        }
        if (cp && ev.seq === cp.seq) hashAt.set(ev.seq, ev.hash);
        prev = ev.hash;
        expectedSeq = ev.seq + 1;
      }
      if (firstBad !== null) break;
    }
    const checked = expectedSeq - 1;
    if (firstBad === null && cp) {
      const signed = this.checkSignature(cp);
      if (!signed) firstBad = Math.min(cp.seq, checked + 1);
      else if (checked < cp.seq) firstBad = checked + 1; // newest events cut off behind the checkpoint
      else if (hashAt.get(cp.seq) !== cp.hash) firstBad = cp.seq;
    }
    return { ok: firstBad === null, checked, firstBadSeq: firstBad, lastCheckpointSeq: cp?.seq ?? null, redacted };
  }

  private checkSignature(cp: Checkpoint): boolean {
    try {
      const key = createPublicKey({ key: Buffer.from(this.config.audit.publicKeySpkiBase64, 'base64'), format: 'der', type: 'spki' });
      return verifySignature(null, checkpointPayload(cp), key, Buffer.from(cp.signature, 'base64'));
    } catch {
      return false;
    }
  }

  async latestCheckpoint(tenant: string): Promise<Checkpoint | null> {
    const [c] = await this.checkpoints(tenant, undefined, 1);
    return c ?? null;
  }

  /** Newest first; `beforeId` is the keyset cursor. */
  async checkpoints(tenant: string, beforeId: number | undefined, limit: number): Promise<(Checkpoint & { id: number })[]> {
    const rows = await this.db.inTenant(tenant, (tx) =>
      tx.query<{ id: string; tenant_id: string; seq: string; hash: string; signed_at: Date; signature: string }>(
        `select id, tenant_id, seq, hash, signed_at, signature from event_checkpoint
          where tenant_id = $1 and ($2::bigint is null or id < $2) order by id desc limit $3`,
        [tenant, beforeId ?? null, limit],
      ),
    );
    return rows.map((r) => ({
      id: Number(r.id),
      tenant: r.tenant_id,
      seq: Number(r.seq),
      hash: r.hash,
      signedAt: r.signed_at.toISOString(),
      signature: r.signature,
    }));
  }
}
