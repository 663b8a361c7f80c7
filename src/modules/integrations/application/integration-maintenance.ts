import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@shared/config/app-config';
import { Database } from '@shared/database/database';
import { BackgroundLoop } from '@shared/event-log/background-loop';
import { EventLog } from '@shared/event-log/event-log';
import { IntegrationsService, REFRESH_WARNING_MS } from './integrations.service';

/**
 * Scheduled upkeep (a job, never a retry loop inside a request): retries revokes that failed at
 * disconnect, with backoff by attempt count, and warns admins once, by event and by the
 * `reauthDueSoon` field, before an integration's refresh token runs out.
 */
@Injectable()
export class IntegrationMaintenance implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('IntegrationMaintenance');
  private readonly loop: BackgroundLoop;

  constructor(
    private readonly db: Database,
    private readonly eventLog: EventLog,
    private readonly integrations: IntegrationsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.loop = new BackgroundLoop('integration-maintenance', 60_000, () => this.runOnce(), this.log);
  }

  onApplicationBootstrap(): void {
    if (this.config.workers) this.loop.start();
  }

  /** Before the pool closes (MikroORM closes it in its own shutdown hook). */
  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  async runOnce(): Promise<{ revoked: number; warned: number }> {
    let revoked = 0;
    const pending = await this.db.inSystem((tx) =>
      tx.query<{ tenant_id: string; id: string; open_id: string }>(
        `select tenant_id, id, open_id from tiktok_integration
          where revoke_pending and status = 'disconnected' and revoke_attempts < 20 limit 50`,
      ),
    );
    for (const p of pending) {
      if ((await this.integrations.revokeIfLast(p.tenant_id, p.id, p.open_id)) !== 'failed') revoked += 1;
    }
    const due = await this.db.inSystem((tx) =>
      tx.query<{ tenant_id: string; id: string; open_id: string; refresh_expires_at: Date }>(
        `select tenant_id, id, open_id, refresh_expires_at from tiktok_integration
          where status = 'active' and refresh_warned_at is null and refresh_expires_at < now() + $1::interval limit 100`,
        [`${REFRESH_WARNING_MS / 1000} seconds`],
      ),
    );
    for (const d of due) {
      await this.db.inTenant(d.tenant_id, async (tx) => {
        const n = await tx.run('update tiktok_integration set refresh_warned_at = now() where id = $1 and refresh_warned_at is null', [d.id]);
        if (n === 0) return;
        await this.eventLog.append(tx, {
          type: 'tiktok.integration.reauth-due',
          actor: { type: 'system', id: 'integration-maintenance' },
          subject: { type: 'tiktok-integration', id: d.id },
          integrationId: d.id,
          data: { integrationId: d.id, tiktokAccountId: d.open_id, refreshExpiresAt: d.refresh_expires_at.toISOString() },
        });
      });
    }
    return { revoked, warned: due.length };
  }
}
