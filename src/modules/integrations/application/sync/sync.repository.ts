import { Injectable } from '@nestjs/common';
import { Database } from '@shared/database/database';
import type { Tx } from '@shared/database/tx';
import { EventLog } from '@shared/event-log/event-log';
import { holderAliveSql } from '@shared/database/instance-liveness';
import type { SyncColumns, SyncEvent } from './sync-state';

/** An integration this instance holds the sync lease of. */
export interface ClaimedSync {
  tenant: string;
  integrationId: string;
  openId: string;
  owner: string;
  columns: SyncColumns;
}

/** The lease was taken over (it lapsed) or the integration left `active`: stop without writing. */
export class SyncLeaseLostError extends Error {
  constructor() {
    super('sync lease lost');
  }
}

type ClaimRow = SyncColumns & { tenant_id: string; id: string; open_id: string };

/** A lease nobody holds: none, lapsed, or its holder's process is gone (its liveness lock was released). */
const LEASE_FREE = `(lease_until is null or lease_until < now() or not ${holderAliveSql('lease_owner')})`;

const SYNC_COLUMNS = `sync_stage, sync_state, sync_failures, next_sync_at, last_synced_at, last_sync_error,
  videos_known, videos_backfilled, comments_stored`;

/**
 * SQL of the sync's lease and state on `tiktok_integration` (this module's own table).
 *
 * Why two instances never sync one integration at once: a claim is one conditional `update`
 * (due, active, and the lease free or lapsed) that sets `lease_owner` / `lease_until`; PostgreSQL
 * row locking lets exactly one of two racing claims match. Every later write of the run (the
 * checkpoint with each page, the renewal, the release) is conditional on `lease_owner` still being
 * this run, so an instance whose lease lapsed (a long GC pause, a network split) and was taken
 * over can no longer write anything: its next checkpoint fails with `SyncLeaseLostError`.
 *
 * Why a restarted service resumes at once: a lease is also free when its holder is gone. Owners
 * lease only while they hold their liveness lock (`InstanceLiveness`), which PostgreSQL releases
 * when the holder's connection dies, so a killed process's leases are free as soon as the database
 * sees its connection close, not when their 90 s run out.
 */
@Injectable()
export class SyncRepository {
  constructor(
    private readonly db: Database,
    private readonly eventLog: EventLog,
  ) {}

  /** Cross-tenant (system scope): the due integrations with a free lease, soonest first. */
  async due(limit: number): Promise<{ tenant: string; integrationId: string }[]> {
    if (limit <= 0) return [];
    const rows = await this.db.inSystem((tx) =>
      tx.query<{ tenant_id: string; id: string }>(
        `select tenant_id, id from tiktok_integration
          where status = 'active' and next_sync_at <= now() and ${LEASE_FREE}
          order by next_sync_at, id limit $1`,
        [limit],
      ),
    );
    return rows.map((r) => ({ tenant: r.tenant_id, integrationId: r.id }));
  }

  /** Distinct TikTok accounts being synced: they share the app budget. */
  async activeAccounts(): Promise<number> {
    const row = await this.db.inSystem((tx) =>
      tx.one<{ n: string }>(`select count(distinct open_id) as n from tiktok_integration where status = 'active'`),
    );
    return Math.max(1, Number(row?.n ?? 1));
  }

  /** Takes the lease if the integration is still due and nobody holds it; null otherwise. */
  async claim(tenant: string, integrationId: string, owner: string, ttlMs: number, force = false): Promise<ClaimedSync | null> {
    const row = await this.db.inTenant(tenant, (tx) =>
      tx.one<ClaimRow>(
        `update tiktok_integration set lease_owner = $2, lease_until = now() + $3 * interval '1 millisecond'
          where id = $1 and status = 'active' and ($4 or next_sync_at <= now())
            and ${LEASE_FREE}
          returning tenant_id, id, open_id, ${SYNC_COLUMNS}`,
        [integrationId, owner, ttlMs, force],
      ),
    );
    if (!row) return null;
    const { tenant_id, id, open_id, ...columns } = row;
    return { tenant: tenant_id, integrationId: id, openId: open_id, owner, columns };
  }

  /** Extends the lease; false when it was lost. */
  async renew(c: ClaimedSync, ttlMs: number): Promise<boolean> {
    const n = await this.db.inTenant(c.tenant, (tx) =>
      tx.run(
        `update tiktok_integration set lease_until = now() + $3 * interval '1 millisecond'
          where id = $1 and lease_owner = $2 and status = 'active'`,
        [c.integrationId, c.owner, ttlMs],
      ),
    );
    return n === 1;
  }

  /**
   * Commits the state (a page's checkpoint, or the run's outcome) and its events in one
   * transaction, renewing the lease, or releasing it with `release`. A status change made
   * meanwhile (disconnect, reauthorisation) wins: stage and next run are then left as they are.
   */
  async save(c: ClaimedSync, columns: SyncColumns, events: SyncEvent[], opts: { release: boolean; ttlMs: number }): Promise<void> {
    // a page's checkpoint may be lost with its page (both are redone); the run's end is durable
    await this.db.inTenant(c.tenant, (tx) => this.saveIn(tx, c, columns, events, opts), { deferredCommit: true });
  }

  /**
   * `save` inside the caller's transaction (the backfill's checkpoint commits with the pages it
   * follows). Throws `SyncLeaseLostError`, rolling the whole transaction back, when the lease is
   * no longer this run's. A run's end and a state with events need a durable commit.
   */
  async saveIn(tx: Tx, c: ClaimedSync, columns: SyncColumns, events: SyncEvent[], opts: { release: boolean; ttlMs: number }): Promise<void> {
    if (opts.release || events.length > 0) tx.requireDurableCommit();
    const n = await tx.run(
      `update tiktok_integration set
         sync_stage = case when status = 'active' or $3 = 'paused' then $3 else sync_stage end,
         sync_state = $4::jsonb,
         sync_failures = $5,
         next_sync_at = case when status = 'active' or $3 = 'paused' then $6::timestamptz else next_sync_at end,
         last_synced_at = $7::timestamptz,
         last_sync_error = $8,
         videos_backfilled = $9,
         lease_owner = case when $10 then null else lease_owner end,
         lease_until = case when $10 then null else now() + $11 * interval '1 millisecond' end
       where id = $1 and lease_owner = $2`,
      [
        c.integrationId,
        c.owner,
        columns.sync_stage,
        JSON.stringify(columns.sync_state),
        columns.sync_failures,
        columns.next_sync_at?.toISOString() ?? null,
        columns.last_synced_at?.toISOString() ?? null,
        columns.last_sync_error,
        // videos_known and comments_stored belong to CountStoredWhenAddedHandler (every source counts)
        columns.videos_backfilled,
        opts.release,
        opts.ttlMs,
      ],
    );
    if (n !== 1) throw new SyncLeaseLostError();
    await this.eventLog.append(
      tx,
      events.map((e) => ({
        type: e.type,
        actor: { type: 'system' as const, id: 'tiktok-sync' },
        subject: { type: 'tiktok-integration', id: c.integrationId },
        integrationId: c.integrationId,
        data: { integrationId: c.integrationId, tiktokAccountId: c.openId, ...e.data },
      })),
    );
  }
}
