import { Inject, Injectable, Logger } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { Database } from '@shared/database/database';
import { EventLog } from '@shared/event-log/event-log';
import { NotFoundError } from '@shared/errors/domain-error';
import type { CurrentUser } from '@shared/auth/current-user';
import { TIKTOK_API, type TikTokApi } from '@shared/tiktok/tiktok-api.port';
import { IntegrationNotActiveError, ListPermissionSetIdsByIntegrationQuery } from '../contracts';
import { GetAccessScopeQuery, type AccessScope } from '@shared/auth/access-scope';
import { IntegrationRepository, type IntegrationRow } from '../infrastructure/integration.repository';
import { TokenStore } from '../infrastructure/token-store';

/** Warn admins this long before the refresh token (and so the connection) runs out. */
export const REFRESH_WARNING_MS = 14 * 86_400_000;

/** The Integration resource of API.md. */
export interface IntegrationView {
  id: string;
  tiktokAccountId: string;
  username: string | null;
  displayName: string;
  avatarUrl: string | null;
  status: IntegrationRow['status'];
  grantedScopes: string[];
  missingScopes: string[];
  connectedAt: string;
  connectedBy: string;
  lastSyncedAt: string | null;
  lastSyncError: string | null;
  sync: { stage: IntegrationRow['sync_stage']; videosKnown: number; videosBackfilled: number; commentsStored: number; nextRunAt: string | null };
  permissionSetIds: string[];
  /** when TikTok's refresh token runs out: reconnect before then */
  refreshExpiresAt: string | null;
  /** true within 14 days of `refreshExpiresAt` */
  reauthDueSoon: boolean;
}

function view(r: IntegrationRow, sets: string[]): IntegrationView {
  return {
    id: r.id,
    tiktokAccountId: r.open_id,
    username: r.username,
    displayName: r.display_name,
    avatarUrl: r.avatar_url,
    status: r.status,
    grantedScopes: r.granted_scopes,
    missingScopes: r.missing_scopes,
    connectedAt: r.connected_at.toISOString(),
    connectedBy: r.connected_by,
    lastSyncedAt: r.last_synced_at?.toISOString() ?? null,
    // the reason codes of the events: a paused integration's is that of its
    // `tiktok.integration.reauth-required` event, else that of the last `tiktok.sync.failed`
    lastSyncError: r.status === 'reauth_required' ? (r.reauth_reason ?? r.last_sync_error) : r.last_sync_error,
    sync: {
      stage: r.sync_stage,
      // counted from the log a moment after the sync stores them; a video backfilled is known
      videosKnown: Math.max(r.videos_known, r.videos_backfilled),
      videosBackfilled: r.videos_backfilled,
      commentsStored: r.comments_stored,
      nextRunAt: r.status === 'active' ? (r.next_sync_at?.toISOString() ?? null) : null,
    },
    permissionSetIds: sets,
    refreshExpiresAt: r.refresh_expires_at?.toISOString() ?? null,
    reauthDueSoon: r.status !== 'disconnected' && !!r.refresh_expires_at && r.refresh_expires_at.getTime() - Date.now() < REFRESH_WARNING_MS,
  };
}

/** Existing integrations: list, get, disconnect, sync now. */
@Injectable()
export class IntegrationsService {
  private readonly log = new Logger('Integrations');

  constructor(
    private readonly db: Database,
    private readonly eventLog: EventLog,
    private readonly tokens: TokenStore,
    private readonly queries: QueryBus,
    @Inject(TIKTOK_API) private readonly api: TikTokApi,
  ) {}

  private scope(user: CurrentUser): Promise<AccessScope> {
    return this.queries.execute(new GetAccessScopeQuery({ tenant: user.tenant, userId: user.id, roles: user.roles }));
  }

  async list(user: CurrentUser): Promise<IntegrationView[]> {
    const scope = await this.scope(user);
    const rows = await this.db.inTenant(user.tenant, (tx) => IntegrationRepository.list(tx, scope.kind === 'all' ? null : scope.integrationIds));
    const sets = await this.queries.execute(new ListPermissionSetIdsByIntegrationQuery(user.tenant, rows.map((r) => r.id)));
    return rows.map((r) => view(r, sets.get(r.id) ?? []));
  }

  async get(user: CurrentUser, id: string): Promise<IntegrationView> {
    const scope = await this.scope(user);
    if (scope.kind === 'some' && !scope.integrationIds.includes(id)) throw new NotFoundError('Integration');
    const row = await this.db.inTenant(user.tenant, (tx) => IntegrationRepository.findById(tx, id));
    if (!row) throw new NotFoundError('Integration');
    const sets = await this.queries.execute(new ListPermissionSetIdsByIntegrationQuery(user.tenant, [id]));
    return view(row, sets.get(id) ?? []);
  }

  /**
   * Stops the sync, marks it disconnected, keeps its history. Revokes at TikTok only when no other
   * tenant still has that account connected; a failed revoke is retried by the revocation job.
   */
  async disconnect(user: CurrentUser, id: string): Promise<void> {
    const result = await this.db.inTenant(user.tenant, async (tx) => {
      const row = await IntegrationRepository.findById(tx, id, true);
      if (!row) throw new NotFoundError('Integration');
      if (row.status === 'disconnected') return null;
      await IntegrationRepository.setStatus(tx, id, 'disconnected', null);
      await this.eventLog.append(tx, {
        type: 'tiktok.integration.disconnected',
        actor: { type: 'user', id: user.id },
        subject: { type: 'tiktok-integration', id },
        integrationId: id,
        data: { integrationId: id, tiktokAccountId: row.open_id, username: row.username },
      });
      return row;
    });
    if (!result) return;
    await this.revokeIfLast(user.tenant, id, result.open_id);
  }

  /** Revokes the grant at TikTok when this was the last tenant with the account; else just forgets our tokens. */
  async revokeIfLast(tenant: string, id: string, openId: string): Promise<'revoked' | 'kept' | 'failed'> {
    const others = await this.db.inSystem((tx) =>
      tx.one<{ n: string }>(`select count(*) as n from tiktok_integration where open_id = $1 and status <> 'disconnected' and id <> $2`, [openId, id]),
    );
    if (Number(others?.n ?? 0) > 0) {
      await this.db.inTenant(tenant, (tx) => this.tokens.delete(tx, tenant, id));
      return 'kept';
    }
    const tokens = await this.db.inTenant(tenant, (tx) => this.tokens.load(tx, tenant, id));
    if (!tokens) return 'kept';
    try {
      await this.api.revoke({ accessToken: tokens.accessToken });
      await this.db.inTenant(tenant, async (tx) => {
        await this.tokens.delete(tx, tenant, id);
        await tx.run('update tiktok_integration set revoke_pending = false where id = $1', [id]);
      });
      return 'revoked';
    } catch (err) {
      this.log.warn({ msg: 'revoke failed; will retry', tenant, integrationId: id, err: (err as Error).message });
      await this.db.inTenant(tenant, (tx) =>
        tx.run('update tiktok_integration set revoke_pending = true, revoke_attempts = revoke_attempts + 1 where id = $1', [id]),
      );
      return 'failed';
    }
  }

  /** Asks for a run now; a paused integration (reauth_required, disconnected) has no run to ask for: 409. */
  async requestSync(user: CurrentUser, id: string): Promise<void> {
    await this.db.inTenant(user.tenant, async (tx) => {
      const row = await IntegrationRepository.findById(tx, id);
      if (!row) throw new NotFoundError('Integration');
      if (row.status !== 'active') throw new IntegrationNotActiveError(row.status);
      await tx.run(`update tiktok_integration set next_sync_at = now() where id = $1`, [id]);
    });
  }
}
