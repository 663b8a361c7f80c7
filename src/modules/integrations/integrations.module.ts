import { Global, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { IntegrationsController } from './api/integrations.controller';
import { ConnectService } from './application/connect.service';
import { GetIntegrationHandler, ListIntegrationsByAccountHandler } from './application/integration-queries.handlers';
import { IntegrationMaintenance } from './application/integration-maintenance';
import { IntegrationsService } from './application/integrations.service';
import { TikTokAccessService } from './application/tiktok-access.service';
import { TokenStore } from './infrastructure/token-store';
import { TIKTOK_ACCESS } from './contracts';
import { SyncRepository } from './application/sync/sync.repository';
import { TikTokSyncSaga } from './application/sync/tiktok-sync.saga';
import { TikTokSyncScheduler } from './application/sync/tiktok-sync.scheduler';
import { CountStoredWhenAddedHandler } from './application/sync/count-stored-when-added.handler';
import { ImportVideoCommentsHandler } from './application/sync/import-video-comments.handler';
import { TikTokWebhookController } from './api/tiktok-webhook.controller';
import { WebhookIntakeService } from './application/webhooks/webhook-intake.service';
import { WebhookSubscription } from './application/webhooks/webhook-subscription';
import { WebhookWorker } from './application/webhooks/webhook-worker';

/**
 * Connecting TikTok accounts, their tokens, and the existing-integrations page. Global so other
 * modules can inject the `TIKTOK_ACCESS` contract without importing this module's class.
 */
@Global()
@Module({
  imports: [CqrsModule],
  controllers: [IntegrationsController, TikTokWebhookController],
  providers: [
    ConnectService,
    IntegrationsService,
    IntegrationMaintenance,
    TokenStore,
    TikTokAccessService,
    { provide: TIKTOK_ACCESS, useExisting: TikTokAccessService },
    GetIntegrationHandler,
    ListIntegrationsByAccountHandler,
    SyncRepository, TikTokSyncSaga, TikTokSyncScheduler, ImportVideoCommentsHandler, CountStoredWhenAddedHandler,
    WebhookIntakeService, WebhookWorker, WebhookSubscription,
  ],
  exports: [TIKTOK_ACCESS, TokenStore],
})
export class IntegrationsModule {}
