import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthIndicatorResult } from '@nestjs/terminus';
import { MikroORM } from '@mikro-orm/core';
import { Public } from '../auth/decorators';
import { Database } from '../database/database';

/** Liveness and readiness (database reachable, migrations applied). */
@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: Database,
    @Inject(MikroORM) private readonly orm: MikroORM,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({ operationId: 'getLiveness', summary: 'Liveness: the process answers' })
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ operationId: 'getReadiness', summary: 'Readiness: the database is reachable and every migration is applied (503 otherwise)' })
  ready() {
    return this.health.check([
      async (): Promise<HealthIndicatorResult> => {
        try {
          await this.db.ping();
          return { database: { status: 'up' } };
        } catch {
          return { database: { status: 'down' } };
        }
      },
      async (): Promise<HealthIndicatorResult> => {
        try {
          const pending = await this.orm.getMigrator().getPendingMigrations();
          return { migrations: { status: pending.length === 0 ? 'up' : 'down', pending: pending.length } };
        } catch {
          return { migrations: { status: 'down' } };
        }
      },
    ]);
  }
}
