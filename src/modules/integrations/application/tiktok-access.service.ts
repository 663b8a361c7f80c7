import { Inject, Injectable, Logger } from '@nestjs/common';
import { Database } from '@shared/database/database';
import type { Tx } from '@shared/database/tx';
import { EventLog } from '@shared/event-log/event-log';
import { TIKTOK_API, type TikTokApi, type TikTokAuth } from '@shared/tiktok/tiktok-api.port';
import { TikTokError } from '@shared/tiktok/tiktok-error';
import { withFieldFallback } from '@shared/tiktok/field-fallback';
import { NotFoundError } from '@shared/errors/domain-error';
import { IntegrationNotActiveError, type IntegrationStatus, type TikTokAccess } from '../contracts';
import { IntegrationRepository } from '../infrastructure/integration.repository';
import { TokenStore } from '../infrastructure/token-store';

/** Refresh this long before the access token expires. */
const REFRESH_AHEAD_MS = 5 * 60_000;

/**
 * The one way to call TikTok for an integration. Refreshes are serialised per integration: in
 * this process by a single-flight promise, across processes by the row lock on its token row;
 * the winner stores the rotated pair in the same transaction, and every waiter sees the new
 * version and skips its own refresh (TikTok's refresh tokens may be single use).
 */
@Injectable()
export class TikTokAccessService implements TikTokAccess {
  private readonly log = new Logger('TikTokAccess');
  private readonly inflight = new Map<string, Promise<TikTokAuth>>();

  constructor(
    private readonly db: Database,
    private readonly tokens: TokenStore,
    private readonly eventLog: EventLog,
    @Inject(TIKTOK_API) private readonly api: TikTokApi,
  ) {}

  async withAccess<T>(
    tenant: string,
    integrationId: string,
    request: (auth: TikTokAuth) => Promise<T>,
  ): Promise<T> {
    const current = await this.current(tenant, integrationId);
    // A field TikTok refuses (40130) never fails the call: it is dropped, remembered, and the call made again once.
    const call = (auth: TikTokAuth): Promise<T> =>
      withFieldFallback(
        { ...auth, unavailableFields: current.auth.unavailableFields },
        request,
        (field) => this.rememberUnavailableField(tenant, integrationId, field),
      );
    const { version } = current;
    const auth =
      current.expiresAt.getTime() - Date.now() < REFRESH_AHEAD_MS ? await this.refreshOnce(tenant, integrationId, version) : current.auth;
    try {
      return await call(auth);
    } catch (err) {
      if (!(err instanceof TikTokError)) throw err;
      if (err.kind === 'auth-expired') {
        const fresh = await this.refreshOnce(tenant, integrationId, version);
        try {
          return await call(fresh);
        } catch (again) {
          if (again instanceof TikTokError && (again.kind === 'auth-revoked' || again.kind === 'auth-expired')) {
            await this.markReauthRequired(tenant, integrationId, again.kind === 'auth-revoked' ? 'AUTH_REVOKED' : 'AUTH_EXPIRED');
          }
          throw again;
        }
      }
      if (err.kind === 'auth-revoked') await this.markReauthRequired(tenant, integrationId, 'AUTH_REVOKED');
      throw err;
    }
  }

  private async current(tenant: string, integrationId: string): Promise<{ auth: TikTokAuth; version: number; expiresAt: Date }> {
    const row = await this.tokens.loadForCall(this.db, tenant, integrationId);
    if (!row) throw new NotFoundError('Integration');
    if (row.status !== 'active') throw new IntegrationNotActiveError(row.status as IntegrationStatus);
    const t = row.token;
    if (!t) throw new IntegrationNotActiveError('reauth_required');
    return {
      auth: {
        accessToken: t.accessToken,
        openId: row.openId,
        unavailableFields: row.unavailableFields,
      },
      version: t.version,
      expiresAt: t.accessExpiresAt,
    };
  }

  /**
   * Records that TikTok refuses `field` to this app for the integration's account: it survives
   * restarts, and every later call of the integration leaves the field out. Logged once (the
   * update finds the field already there on any later report).
   */
  private async rememberUnavailableField(
    tenant: string,
    integrationId: string,
    field: string,
  ): Promise<void> {
    const added = await this.db.inTenant(tenant, (tx) =>
      tx.run(
        `update tiktok_integration set unavailable_fields = array_append(unavailable_fields, $2)
          where tenant_id = current_setting('app.tenant_id') and id = $1 and not ($2 = any(unavailable_fields))`,
        [integrationId, field],
      ),
    );
    if (added > 0) {
      this.log.log({
        msg: 'tiktok field unavailable for this account; no longer asked for',
        tenant,
        integrationId,
        field,
      });
    }
  }

  /** Refreshes unless someone already did since `seenVersion`; returns the auth to use. */
  refreshOnce(tenant: string, integrationId: string, seenVersion: number): Promise<TikTokAuth> {
    const key = `${tenant}/${integrationId}`;
    const running = this.inflight.get(key);
    if (running) return running;
    const p = this.refreshLocked(tenant, integrationId, seenVersion).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private async refreshLocked(tenant: string, integrationId: string, seenVersion: number): Promise<TikTokAuth> {
    let revoked = false;
    try {
      return await this.db.inTenant(tenant, async (tx) => {
        const row = await IntegrationRepository.findById(tx, integrationId);
        if (!row) throw new NotFoundError('Integration');
        const t = await this.tokens.load(tx, tenant, integrationId, true);
        if (!t) throw new IntegrationNotActiveError('reauth_required');
        if (t.version !== seenVersion && t.accessExpiresAt.getTime() - Date.now() > REFRESH_AHEAD_MS) {
          return { accessToken: t.accessToken, openId: row.open_id }; // another caller refreshed already
        }
        try {
          const fresh = await this.api.refresh({ refreshToken: t.refreshToken });
          await this.tokens.save(tx, tenant, integrationId, fresh);
          await tx.run('update tiktok_integration set refresh_expires_at = $2 where id = $1', [integrationId, fresh.refreshExpiresAt]);
          this.log.log({ msg: 'token refreshed', tenant, integrationId });
          return { accessToken: fresh.accessToken, openId: row.open_id };
        } catch (err) {
          if (err instanceof TikTokError && (err.kind === 'auth-revoked' || err.kind === 'invalid')) revoked = true;
          throw err;
        }
      });
    } catch (err) {
      if (revoked) await this.markReauthRequired(tenant, integrationId, 'REFRESH_REJECTED');
      throw err;
    }
  }

  /** `auth-revoked`: stop using the integration until an admin reconnects it. */
  async markReauthRequired(tenant: string, integrationId: string, reason: string): Promise<void> {
    await this.db.inTenant(tenant, async (tx) => {
      const row = await IntegrationRepository.findById(tx, integrationId, true);
      if (!row || row.status !== 'active') return;
      await IntegrationRepository.setStatus(tx, integrationId, 'reauth_required', reason);
      await appendReauthRequired(this.eventLog, tx, row.id, row.open_id, reason, { type: 'system', id: 'tiktok-access' });
    });
    this.log.warn({ msg: 'integration needs reauthorisation', tenant, integrationId, reason });
  }
}

export function appendReauthRequired(
  eventLog: EventLog,
  tx: Tx,
  integrationId: string,
  openId: string,
  reason: string,
  actor: { type: 'user' | 'system'; id: string },
  missingScopes: string[] = [],
): Promise<string[]> {
  return eventLog.append(tx, {
    type: 'tiktok.integration.reauth-required',
    actor,
    subject: { type: 'tiktok-integration', id: integrationId },
    data: { integrationId, tiktokAccountId: openId, reason, missingScopes },
    integrationId,
  });
}
