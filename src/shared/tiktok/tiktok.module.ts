import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { Database } from '../database/database';
import { Metrics } from '../operations/metrics';
import { TIKTOK_API } from './tiktok-api.port';
import { TikTokHttpClient } from './tiktok-http.client';
import { TikTokRateBudget, UNLIMITED_BUDGET } from './tiktok-rate-budget';

/**
 * Provides the TikTok port (`TIKTOK_API`) to every module: the HTTP client over the shared
 * PostgreSQL rate budget. Needs `SharedModule` (config, metrics) and `DatabaseModule`.
 */
@Global()
@Module({
  providers: [
    { provide: TikTokRateBudget, inject: [Database], useFactory: (db: Database) => new TikTokRateBudget(db) },
    {
      provide: TIKTOK_API,
      inject: [APP_CONFIG, TikTokRateBudget, Metrics],
      useFactory: (config: AppConfig, budget: TikTokRateBudget, metrics: Metrics) =>
        new TikTokHttpClient(config.tiktok, config.tiktok.rateBudget === 'off' ? UNLIMITED_BUDGET : budget, metrics),
    },
  ],
  exports: [TIKTOK_API, TikTokRateBudget],
})
export class TikTokModule {}
