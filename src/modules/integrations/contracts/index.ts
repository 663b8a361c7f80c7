import { Command, Query } from '@nestjs/cqrs';
import { DomainError } from '@shared/errors/domain-error';
import type { TikTokAuth } from '@shared/tiktok/tiktok-api.port';

/**
 * The integrations module's public surface: what other modules may know about a connected TikTok
 * account, and the one way to call TikTok on its behalf.
 */

export type IntegrationStatus = 'active' | 'reauth_required' | 'disconnected';

/** What other modules need about an integration. */
export interface IntegrationSummary {
  id: string;
  tenant: string;
  /** TikTok's open_id (`business_id`) */
  tiktokAccountId: string;
  username: string | null;
  displayName: string;
  status: IntegrationStatus;
}

/** One integration of the tenant, or null (missing or another tenant's). */
export class GetIntegrationQuery extends Query<IntegrationSummary | null> {
  constructor(
    readonly tenant: string,
    readonly integrationId: string,
  ) {
    super();
  }
}

/**
 * An extension query of the Integration resource: the permission sets that contain each of the
 * given integrations (each id maps to its sets' ids, sorted; an integration in none maps to []).
 * Integrations declares what its resource needs but does not own; the module that shares
 * integrations with agents answers it, so integrations depends on no module above it.
 */
export class ListPermissionSetIdsByIntegrationQuery extends Query<Map<string, string[]>> {
  constructor(
    readonly tenant: string,
    readonly integrationIds: string[],
  ) {
    super();
  }
}

/** Every integration, in every tenant, connected to one TikTok account (webhook fan-out). System scope. */
export class ListIntegrationsByAccountQuery extends Query<IntegrationSummary[]> {
  constructor(readonly tiktokAccountId: string) {
    super();
  }
}

/** 409: the integration is `reauth_required` or `disconnected`; nothing was sent to TikTok. */
export class IntegrationNotActiveError extends DomainError {
  readonly code = 'INTEGRATION_NOT_ACTIVE';
  readonly status = 409;
  constructor(status: IntegrationStatus) {
    super(
      status === 'disconnected'
        ? 'The TikTok integration is disconnected; connect the account again first'
        : 'The TikTok integration needs to be reconnected',
    );
  }
}

/** Injection token of `TikTokAccess`. */
export const TIKTOK_ACCESS = Symbol('TIKTOK_ACCESS');

/**
 * Calls TikTok on an integration's behalf with a valid access token: refreshes before expiry and
 * once on `auth-expired` (then retries the call once), marks the integration `reauth_required`
 * (and emits `tiktok.integration.reauth-required`) on `auth-revoked`. Throws
 * `IntegrationNotActiveError` without calling TikTok when the integration is not active, and
 * the client's `TikTokError` for every other failure. Tokens never leave this call.
 */
export interface TikTokAccess {
  withAccess<T>(tenant: string, integrationId: string, call: (auth: TikTokAuth) => Promise<T>): Promise<T>;
}

/**
 * Imports every comment and reply of one stored video now (a video added by URL). Idempotent
 * (the ingest stores each comment once); TikTok's budgets apply as to every call. The video is
 * then recorded as fully reconciled. Errors are the client's `TikTokError`s.
 */
export class ImportVideoCommentsCommand extends Command<{ newComments: number }> {
  constructor(
    readonly tenant: string,
    readonly integrationId: string,
    /** Echo id of the video */
    readonly videoId: string,
  ) {
    super();
  }
}
