import { Inject, Injectable, Logger } from '@nestjs/common';
import { Subject } from 'rxjs';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { Database } from '../database/database';
import { Metrics } from '../operations/metrics';
import { chainHash } from './chain';
import { EventLog } from './event-log';
import { GENESIS_HASH, type Actor, type Subject as EventSubject } from './event.types';
import { BackgroundLoop } from './background-loop';

const SEALER_LOCK = 727_101;
const BATCH = 1000;

interface PendingRow {
  n: string;
  id: string;
  tenant_id: string;
  type: string;
  occurred_at: Date;
  actor: Actor;
  subject: EventSubject;
  data_digest: string;
  recorded_at: Date;
}

/**
 * Gives committed events their per-tenant `seq` and hash, in commit order.
 *
 * Why it holds: writers only insert; a sealing round runs in one transaction under a
 * transaction-level advisory lock, so at most one round runs at a time across all instances and
 * each round starts after the previous one committed. A round reads only committed pending rows,
 * so an event whose transaction commits late is simply picked up by a later round and gets a
 * higher `seq` than everything already sealed: readers that follow `seq` never miss one.
 */
@Injectable()
export class Sealer {
  private readonly log = new Logger('Sealer');
  /** the highest global position sealed by this instance (hint for consumers and streams) */
  readonly sealed$ = new Subject<number>();
  private readonly loop: BackgroundLoop;

  constructor(
    private readonly db: Database,
    eventLog: EventLog,
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.loop = new BackgroundLoop('sealer', config.audit.sealIntervalMs, () => this.sealOnce(), this.log);
    eventLog.appended$.subscribe(() => this.loop.wake());
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Seals one batch. Returns how many events it sealed (0 when another instance holds the lock). */
  async sealOnce(): Promise<number> {
    const result = await this.db.inSystem(async (tx) => {
      // No parallel workers and no sequential scans in this transaction: its reads are a few
      // per-key probes and the first entries of the queue in key order, but the queue's churn
      // (every event inserted and deleted) misleads the planner. It started workers for the pending
      // read, a process start per round (a fifth of the sampled time), and it read the whole queue,
      // dead entries included, and sorted it, where the key's index gives the first ones in order.
      const [lock] = await tx.query<{ ok: boolean }>(
        `select pg_try_advisory_xact_lock($1) as ok, set_config('max_parallel_workers_per_gather', '0', true),
                set_config('enable_seqscan', 'off', true)`,
        [SEALER_LOCK],
      );
      if (!lock?.ok) return { count: 0, position: 0, lags: [] as number[] };
      // The oldest pending entries first, then each event by its key: a plan that stays small
      // however large the log (a join left to the planner hashed the whole log when statistics lagged).
      const pending = await tx.query<PendingRow>(
        `select p.n, e.id, e.tenant_id, e.type, e.occurred_at, e.actor, e.subject, e.data_digest, e.recorded_at
           from (select n, event_id from event_pending order by n limit $1) p
           cross join lateral (select * from event_log where id = p.event_id limit 1) e
          order by p.n`,
        [BATCH],
      );
      if (pending.length === 0) return { count: 0, position: 0, lags: [] };
      const tenants = [...new Set(pending.map((p) => p.tenant_id))];
      const heads = new Map<string, { seq: number; hash: string }>();
      // the tenants' chain heads, and (tenant null) the global position
      let position = 0;
      for (const h of await tx.query<{ tenant_id: string | null; seq: string; hash: string | null }>(
        `select null as tenant_id, position as seq, null as hash from event_sealer_state where id = 1
         union all
         select tenant_id, seq, hash from event_chain_head where tenant_id = any($1::text[])`,
        [tenants],
      )) {
        if (h.tenant_id === null) position = Number(h.seq);
        else if (h.hash !== null) heads.set(h.tenant_id, { seq: Number(h.seq), hash: h.hash });
      }
      const seals = pending.map((p) => {
        const head = heads.get(p.tenant_id) ?? { seq: 0, hash: GENESIS_HASH };
        const seq = head.seq + 1;
        const hash = chainHash(head.hash, {
          seq,
          id: p.id,
          type: p.type,
          occurredAt: p.occurred_at.toISOString(),
          tenant: p.tenant_id,
          actor: p.actor,
          subject: p.subject,
          dataDigest: p.data_digest,
        });
        position += 1;
        const seal = { tenant_id: p.tenant_id, seq, event_id: p.id, position, prev_hash: head.hash, hash };
        heads.set(p.tenant_id, { seq, hash });
        return seal;
      });
      const headRows = [...heads.entries()].map(([tenant_id, h]) => ({ tenant_id, seq: h.seq, hash: h.hash }));
      // one statement for the round's writes (seals, heads, position, queue)
      await tx.run(
        `with seals as (
           insert into event_seal (tenant_id, seq, event_id, position, prev_hash, hash)
           select tenant_id, seq, event_id, position, prev_hash, hash
             from jsonb_to_recordset($1::jsonb) as x(tenant_id text, seq bigint, event_id uuid, position bigint, prev_hash text, hash text)
           returning 1),
         heads as (
           insert into event_chain_head (tenant_id, seq, hash, updated_at)
           select tenant_id, seq, hash, now() from jsonb_to_recordset($2::jsonb) as x(tenant_id text, seq bigint, hash text)
           on conflict (tenant_id) do update set seq = excluded.seq, hash = excluded.hash, updated_at = now()
           returning 1),
         state as (update event_sealer_state set position = $3 where id = 1 returning 1),
         queue as (delete from event_pending where n = any($4::bigint[]) returning 1)
         select (select count(*) from seals) as seals`,
        [JSON.stringify(seals), JSON.stringify(headRows), position, pending.map((p) => p.n)],
      );
      const now = Date.now();
      return { count: seals.length, position, lags: pending.map((p) => (now - p.recorded_at.getTime()) / 1000) };
    });
    if (result.count > 0) {
      for (const lag of result.lags) this.metrics.sealLag.observe(lag);
      this.sealed$.next(result.position);
      if (result.count === BATCH) this.loop.wake();
    }
    return result.count;
  }

  /** Seals until nothing is pending (tests, shutdown). */
  async drain(): Promise<void> {
    for (let i = 0; i < 10_000; i++) {
      const n = await this.sealOnce();
      if (n === 0) {
        const [p] = await this.db.inSystem((tx) => tx.query<{ c: string }>('select count(*) as c from event_pending'));
        if (Number(p?.c ?? 0) === 0) return;
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  }
}
