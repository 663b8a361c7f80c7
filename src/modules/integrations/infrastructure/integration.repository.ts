import type { Tx } from '@shared/database/tx';
import type { IntegrationStatus } from '../contracts';

/** A row of `tiktok_integration` as the module reads it. */
export interface IntegrationRow {
  tenant_id: string;
  id: string;
  open_id: string;
  username: string | null;
  display_name: string;
  avatar_url: string | null;
  status: IntegrationStatus;
  granted_scopes: string[];
  missing_scopes: string[];
  reauth_reason: string | null;
  connected_at: Date;
  connected_by: string;
  disconnected_at: Date | null;
  revoke_pending: boolean;
  refresh_expires_at: Date | null;
  refresh_warned_at: Date | null;
  last_synced_at: Date | null;
  last_sync_error: string | null;
  sync_stage: 'backfill' | 'live' | 'paused';
  next_sync_at: Date | null;
  videos_known: number;
  videos_backfilled: number;
  comments_stored: number;
}

const COLUMNS = `tenant_id, id, open_id, username, display_name, avatar_url, status, granted_scopes, missing_scopes,
  reauth_reason, connected_at, connected_by, disconnected_at, revoke_pending, refresh_expires_at, refresh_warned_at,
  last_synced_at, last_sync_error, sync_stage, next_sync_at, videos_known, videos_backfilled, comments_stored`;

/** SQL for integrations and their tokens; no logic. */
export const IntegrationRepository = {
  async findById(tx: Tx, id: string, lock = false): Promise<IntegrationRow | undefined> {
    return tx.one<IntegrationRow>(`select ${COLUMNS} from tiktok_integration where id = $1 ${lock ? 'for update' : ''}`, [id]);
  },

  async findByOpenId(tx: Tx, tenant: string, openId: string): Promise<IntegrationRow | undefined> {
    return tx.one<IntegrationRow>(`select ${COLUMNS} from tiktok_integration where tenant_id = $1 and open_id = $2 for update`, [tenant, openId]);
  },

  async list(tx: Tx, ids: string[] | null): Promise<IntegrationRow[]> {
    return tx.query<IntegrationRow>(
      `select ${COLUMNS} from tiktok_integration where ($1::uuid[] is null or id = any($1::uuid[])) order by connected_at, id`,
      [ids],
    );
  },

  /** System scope: every tenant's integration of one TikTok account. */
  async listByOpenId(tx: Tx, openId: string): Promise<IntegrationRow[]> {
    return tx.query<IntegrationRow>(`select ${COLUMNS} from tiktok_integration where open_id = $1 order by tenant_id`, [openId]);
  },

  async insert(
    tx: Tx,
    r: Pick<IntegrationRow, 'tenant_id' | 'id' | 'open_id' | 'username' | 'display_name' | 'avatar_url' | 'status' | 'granted_scopes' | 'missing_scopes' | 'connected_by' | 'refresh_expires_at'>,
  ): Promise<boolean> {
    // false: the account is connected in this tenant already (a concurrent connect committed it)
    const n = await tx.run(
      `insert into tiktok_integration (tenant_id, id, open_id, username, display_name, avatar_url, status, granted_scopes,
         missing_scopes, reauth_reason, connected_at, connected_by, refresh_expires_at, sync_stage, next_sync_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8::text[], $9::text[], $10, now(), $11, $12, 'backfill', now())
       on conflict (tenant_id, open_id) do nothing`,
      [r.tenant_id, r.id, r.open_id, r.username, r.display_name, r.avatar_url, r.status, r.granted_scopes, r.missing_scopes,
        r.status === 'reauth_required' ? 'SCOPES_MISSING' : null, r.connected_by, r.refresh_expires_at],
    );
    return n === 1;
  },

  /** Reconnect: same row, fresh profile and status; videos, comments and history stay. */
  async reconnect(
    tx: Tx,
    r: Pick<IntegrationRow, 'id' | 'username' | 'display_name' | 'avatar_url' | 'status' | 'granted_scopes' | 'missing_scopes' | 'connected_by' | 'refresh_expires_at'>,
  ): Promise<void> {
    await tx.run(
      `update tiktok_integration set username = $2, display_name = $3, avatar_url = $4, status = $5,
         granted_scopes = $6::text[], missing_scopes = $7::text[], reauth_reason = $8, connected_at = now(), connected_by = $9,
         disconnected_at = null, revoke_pending = false, revoke_attempts = 0, refresh_expires_at = $10, refresh_warned_at = null,
         sync_stage = case when sync_stage = 'paused' then (case when videos_backfilled > 0 then 'live' else 'backfill' end) else sync_stage end,
         next_sync_at = now(), sync_failures = 0, last_sync_error = null
       where id = $1`,
      [r.id, r.username, r.display_name, r.avatar_url, r.status, r.granted_scopes, r.missing_scopes,
        r.status === 'reauth_required' ? 'SCOPES_MISSING' : null, r.connected_by, r.refresh_expires_at],
    );
  },

  async setStatus(tx: Tx, id: string, status: IntegrationStatus, reason: string | null): Promise<void> {
    await tx.run(
      `update tiktok_integration set status = $2, reauth_reason = $3,
         sync_stage = case when $2 = 'active' then sync_stage else 'paused' end,
         disconnected_at = case when $2 = 'disconnected' then now() else disconnected_at end
       where id = $1`,
      [id, status, reason],
    );
  },
};
