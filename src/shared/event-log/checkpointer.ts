import { Inject, Injectable, Logger } from '@nestjs/common';
import { sign } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { Database } from '../database/database';
import { BackgroundLoop } from './background-loop';
import { canonicalJson } from './jcs';

const CHECKPOINT_LOCK = 727_102;

/** The bytes a checkpoint signature covers: JCS of {tenant, seq, hash, signedAt}. */
export function checkpointPayload(c: { tenant: string; seq: number; hash: string; signedAt: string }): Buffer {
  return Buffer.from(canonicalJson({ tenant: c.tenant, seq: c.seq, hash: c.hash, signedAt: c.signedAt }), 'utf8');
}

/**
 * Signs each tenant's chain head with the Ed25519 key the database never sees, whenever the head
 * moved since its last checkpoint, at least every `checkpointIntervalMs` (≤ 60 s). A signed head
 * lets `verify` notice newest events cut off behind it, or a chain rewritten without the key.
 */
@Injectable()
export class Checkpointer {
  private readonly log = new Logger('Checkpointer');
  private readonly loop: BackgroundLoop;

  constructor(
    private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.loop = new BackgroundLoop('checkpointer', config.audit.checkpointIntervalMs, () => this.checkpointOnce(), this.log);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Signs every head that moved. Returns how many checkpoints it wrote. */
  async checkpointOnce(): Promise<number> {
    return this.db.inSystem(async (tx) => {
      const [lock] = await tx.query<{ ok: boolean }>('select pg_try_advisory_xact_lock($1) as ok', [CHECKPOINT_LOCK]);
      if (!lock?.ok) return 0;
      const heads = await tx.query<{ tenant_id: string; seq: string; hash: string }>(
        `select h.tenant_id, h.seq, h.hash from event_chain_head h
          where not exists (select 1 from event_checkpoint c where c.tenant_id = h.tenant_id and c.seq >= h.seq)`,
      );
      if (heads.length === 0) return 0;
      const signedAt = new Date().toISOString();
      const rows = heads.map((h) => {
        const c = { tenant: h.tenant_id, seq: Number(h.seq), hash: h.hash, signedAt };
        const signature = sign(null, checkpointPayload(c), this.config.audit.signingKey).toString('base64');
        return { tenant_id: c.tenant, seq: c.seq, hash: c.hash, signed_at: signedAt, signature, public_key: this.config.audit.publicKeySpkiBase64 };
      });
      await tx.run(
        `insert into event_checkpoint (tenant_id, seq, hash, signed_at, signature, public_key)
         select tenant_id, seq, hash, signed_at, signature, public_key
           from jsonb_to_recordset($1::jsonb) as x(tenant_id text, seq bigint, hash text, signed_at timestamptz, signature text, public_key text)`,
        [JSON.stringify(rows)],
      );
      return rows.length;
    });
  }
}
