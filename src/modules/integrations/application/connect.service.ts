import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '@shared/config/app-config';
import { Database } from '@shared/database/database';
import { EventLog } from '@shared/event-log/event-log';
import type { CurrentUser } from '@shared/auth/current-user';
import { TIKTOK_API, type TikTokApi, type TokenSet, type TikTokAccountInfo } from '@shared/tiktok/tiktok-api.port';
import { CallbackFailedError, PoliciesNotAcceptedError, PolicyVersionChangedError, type CallbackFailure, type StateCheck } from '../domain/integration.errors';
import { loadPolicyCatalog, type PolicyCatalog } from '../domain/policies';
import { IntegrationRepository } from '../infrastructure/integration.repository';
import { TokenStore } from '../infrastructure/token-store';
import { appendReauthRequired } from './tiktok-access.service';

export const STATE_TTL_MS = 10 * 60_000;
/** The cookie that binds a state to the browser that asked for it; one per state. */
export const nonceCookieName = (state: string): string => `tt_oauth_${sha256(state).slice(0, 16)}`;

function sha256(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

export interface ConnectStarted {
  authorizeUrl: string;
  state: string;
  expiresAt: string;
  nonce: string;
}

export interface CallbackInput {
  code?: string;
  state?: string;
  error?: string;
  cookies: Record<string, string | undefined>;
}

/** How each failed state check reads in the log. */
const STATE_CHECKS: Record<StateCheck, string> = {
  missing: 'the callback carried no state',
  unknown: 'the state is unknown',
  used: 'the state was used already',
  expired: 'the state expired',
  'cookie-missing': "the browser's cookie for this state is missing (another browser, or another host than the connect's)",
  'cookie-different': "the browser's cookie does not match the state",
};

/**
 * Connecting an account: policies accepted and the OAuth state stored in one transaction; the
 * callback checks the state (hash, single use, 10 minutes, same browser), exchanges the code,
 * reads the profile, then creates or reconnects the integration. Any failure connects nothing.
 */
@Injectable()
export class ConnectService {
  private readonly log = new Logger('Connect');
  readonly catalog: PolicyCatalog = loadPolicyCatalog();

  constructor(
    private readonly db: Database,
    private readonly eventLog: EventLog,
    private readonly tokens: TokenStore,
    @Inject(TIKTOK_API) private readonly api: TikTokApi,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Cookies go `Secure` whenever the callback itself is served over https. */
  get secureCookies(): boolean {
    return this.config.tiktok.redirectUri.startsWith('https:');
  }

  async start(user: CurrentUser, input: { acceptPolicies: unknown; policyVersion: string; ip: string; userAgent: string }): Promise<ConnectStarted> {
    if (input.acceptPolicies !== true) throw new PoliciesNotAcceptedError();
    if (input.policyVersion !== this.catalog.policyVersion) throw new PolicyVersionChangedError();
    const state = randomBytes(32).toString('base64url');
    const nonce = randomBytes(32).toString('base64url');
    const now = new Date();
    const expiresAt = new Date(now.getTime() + STATE_TTL_MS);
    await this.db.inTenant(user.tenant, async (tx) => {
      await tx.run(
        `insert into oauth_state (state_hash, tenant_id, user_id, nonce_hash, expires_at) values ($1, $2, $3, $4, $5)`,
        [sha256(state), user.tenant, user.id, sha256(nonce), expiresAt],
      );
      await this.eventLog.append(tx, {
        type: 'tiktok.policies.accepted',
        actor: { type: 'user', id: user.id },
        subject: { type: 'tenant', id: user.tenant },
        occurredAt: now,
        data: {
          userId: user.id,
          tenant: user.tenant,
          policies: this.catalog.policies.map((p) => ({ id: p.id, version: p.version })),
          policyVersion: this.catalog.policyVersion,
          acceptedAt: now.toISOString(),
          clientIp: input.ip,
          userAgent: input.userAgent.slice(0, 500),
        },
      });
    });
    const url = new URL(this.config.tiktok.authUrl);
    url.searchParams.set('client_key', this.config.tiktok.clientKey);
    url.searchParams.set('scope', this.catalog.scopes.join(','));
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('redirect_uri', this.config.tiktok.redirectUri);
    url.searchParams.set('state', state);
    return { authorizeUrl: url.toString(), state, expiresAt: expiresAt.toISOString(), nonce };
  }

  /** Returns the admin page URL to redirect to; never throws. */
  async callback(input: CallbackInput): Promise<string> {
    const page = `${this.config.adminUiUrl}/admin/integrations/tiktok`;
    try {
      const { integrationId, missing } = await this.complete(input);
      const q = new URLSearchParams({ connected: integrationId });
      if (missing) q.set('error', 'SCOPES_MISSING');
      return `${page}?${q.toString()}`;
    } catch (err) {
      const reason: CallbackFailure = err instanceof CallbackFailedError ? err.reason : 'TOKEN_EXCHANGE_FAILED';
      if (!(err instanceof CallbackFailedError)) this.log.error({ msg: 'callback failed unexpectedly', err: (err as Error).message });
      else this.log.warn({ msg: 'callback connected nothing', reason, ...(err.check ? { check: STATE_CHECKS[err.check] } : {}) });
      return `${page}?${new URLSearchParams({ error: reason }).toString()}`;
    }
  }

  private async complete(input: CallbackInput): Promise<{ integrationId: string; missing: boolean }> {
    const owner = await this.consumeState(input);
    if (input.error) throw new CallbackFailedError('ACCESS_DENIED');
    if (!input.code) throw new CallbackFailedError('TOKEN_EXCHANGE_FAILED');
    let tokens: TokenSet;
    try {
      tokens = await this.api.exchangeCode({ code: input.code, redirectUri: this.config.tiktok.redirectUri });
    } catch {
      throw new CallbackFailedError('TOKEN_EXCHANGE_FAILED');
    }
    let profile: TikTokAccountInfo;
    try {
      profile = await this.api.getAccount(
        { accessToken: tokens.accessToken, openId: tokens.openId },
        { fields: ['username', 'display_name', 'profile_image'] },
      );
    } catch {
      throw new CallbackFailedError('PROFILE_FAILED');
    }
    const missingScopes = this.catalog.scopes.filter((s) => !tokens.scopes.includes(s));
    const status = missingScopes.length ? 'reauth_required' : 'active';
    return this.db.inTenant(owner.tenant, async (tx) => {
      let existing = await IntegrationRepository.findByOpenId(tx, owner.tenant, tokens.openId);
      const profileFields = {
        username: profile.username,
        display_name: profile.displayName ?? profile.username ?? '',
        avatar_url: profile.profileImage,
        status,
        granted_scopes: tokens.scopes,
        missing_scopes: missingScopes,
        connected_by: owner.userId,
        refresh_expires_at: tokens.refreshExpiresAt,
      } as const;
      // Concurrent callbacks for one account (a double click, two admins) all land on one row: the
      // insert yields to a row another callback committed meanwhile, which this one then reconnects.
      let id = existing?.id ?? randomUUID();
      if (!existing && !(await IntegrationRepository.insert(tx, { ...profileFields, id, tenant_id: owner.tenant, open_id: tokens.openId }))) {
        existing = await IntegrationRepository.findByOpenId(tx, owner.tenant, tokens.openId);
        if (!existing) throw new Error('the integration another callback inserted is not visible');
        id = existing.id;
      }
      if (existing) await IntegrationRepository.reconnect(tx, { ...profileFields, id });
      await this.tokens.save(tx, owner.tenant, id, tokens);
      const actor = { type: 'user' as const, id: owner.userId };
      await this.eventLog.append(tx, {
        type: 'tiktok.integration.connected',
        actor,
        subject: { type: 'tiktok-integration', id },
        integrationId: id,
        data: {
          integrationId: id,
          tiktokAccountId: tokens.openId,
          username: profile.username,
          displayName: profileFields.display_name,
          reconnected: Boolean(existing),
          grantedScopes: tokens.scopes,
          missingScopes,
        },
      });
      if (missingScopes.length) await appendReauthRequired(this.eventLog, tx, id, tokens.openId, 'SCOPES_MISSING', actor, missingScopes);
      return { integrationId: id, missing: missingScopes.length > 0 };
    });
  }

  /**
   * Single use, even when a later step fails: the state is marked used in its own transaction
   * before the code is exchanged (system scope: the callback carries no bearer, so the tenant
   * comes from the state itself).
   */
  private async consumeState(input: CallbackInput): Promise<{ tenant: string; userId: string }> {
    if (!input.state) throw new CallbackFailedError('STATE_INVALID', 'missing');
    if (input.state.length > 200) throw new CallbackFailedError('STATE_INVALID', 'unknown');
    const nonce = input.cookies[nonceCookieName(input.state)];
    return this.db.inSystem(async (tx) => {
      const row = await tx.one<{ tenant_id: string; user_id: string; nonce_hash: string; expires_at: Date; used_at: Date | null }>(
        'select tenant_id, user_id, nonce_hash, expires_at, used_at from oauth_state where state_hash = $1 for update',
        [sha256(input.state!)],
      );
      if (!row) throw new CallbackFailedError('STATE_INVALID', 'unknown');
      if (row.used_at) throw new CallbackFailedError('STATE_INVALID', 'used');
      if (row.expires_at.getTime() < Date.now()) throw new CallbackFailedError('STATE_INVALID', 'expired');
      // Another browser (no cookie, or another nonce) connects nothing and leaves the state to its owner.
      if (!nonce) throw new CallbackFailedError('STATE_INVALID', 'cookie-missing');
      if (sha256(nonce) !== row.nonce_hash) throw new CallbackFailedError('STATE_INVALID', 'cookie-different');
      await tx.run('update oauth_state set used_at = now() where state_hash = $1', [sha256(input.state!)]);
      return { tenant: row.tenant_id, userId: row.user_id };
    });
  }
}
