import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ConfigModule } from '@nestjs/config';
import { CqrsModule } from '@nestjs/cqrs';
import { PassportModule } from '@nestjs/passport';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import { APP_CONFIG, type AppConfig } from '@shared/config/app-config';
import { JwtStrategy } from '@shared/auth/jwt.strategy';
import { JwtAuthGuard, RolesGuard, UserRateLimitGuard } from '@shared/auth/guards';
import { DevSignInModule } from '@shared/auth/dev-sign-in/dev-sign-in.module';
import { DatabaseModule } from '@shared/database/database.module';
import { EventLogModule } from '@shared/event-log/event-log.module';
import { GlobalErrorFilter } from '@shared/http/error-filter';
import { HealthController } from '@shared/operations/health.controller';
import { MetricsController } from '@shared/operations/metrics.controller';
import { Metrics } from '@shared/operations/metrics';
import { SharedModule } from '@shared/shared.module';
import { AuditModule } from '@modules/audit/audit.module';
import { CommentsModule } from '@modules/comments/comments.module';
import { VideosModule } from '@modules/videos/videos.module';
import { IntegrationsModule } from '@modules/integrations/integrations.module';
import { PermissionsModule } from '@modules/permissions/permissions.module';
import { TikTokModule } from '@shared/tiktok/tiktok.module';

/** Feature modules, in one list so the app and the architecture test agree. */
export const FEATURE_MODULES: Type[] = [AuditModule, PermissionsModule, IntegrationsModule, VideosModule, CommentsModule];

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => ({ app: config })] }),
        SharedModule.forRoot(config),
        DatabaseModule.forRoot(config),
        EventLogModule,
        TikTokModule,
        CqrsModule.forRoot(),
        ScheduleModule.forRoot(),
        PassportModule,
        TerminusModule.forRoot({ logger: false, errorLogStyle: 'json' }),
        ...FEATURE_MODULES,
        DevSignInModule.forRoot(config),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        JwtStrategy,
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: RolesGuard },
        { provide: APP_GUARD, useClass: UserRateLimitGuard },
        { provide: APP_FILTER, useClass: GlobalErrorFilter },
      ],
    };
  }
}

export { APP_CONFIG, Metrics };
