import { Global, Inject, Injectable, Logger, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { Client } from 'pg';
import { migrationsList } from '../../../migrations';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { OWNS_AUDIT_TABLES_SQL } from './audit-owner';
import { Database } from './database';
import { InstanceLiveness } from './instance-liveness';

/** MikroORM options for the app role's URL; shared by the service and the CLI scripts. */
export function ormOptions(databaseUrl: string) {
  return {
    driver: PostgreSqlDriver,
    clientUrl: databaseUrl,
    extensions: [Migrator],
    discovery: { warnWhenNoEntities: false },
    migrations: { migrationsList, tableName: 'schema_migrations', transactional: true, allOrNothing: true, snapshot: false, silent: true },
    pool: { min: 0, max: 20 },
    debug: false,
    allowGlobalContext: false,
  };
}

const MIGRATION_LOCK = 727_001;

/** Applies pending migrations once, across instances (an advisory lock on its own connection). */
export async function migrate(orm: MikroORM, databaseUrl: string): Promise<string[]> {
  const lock = new Client({ connectionString: databaseUrl });
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const done = await orm.getMigrator().up();
    return done.map((m) => m.name);
  } finally {
    await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.end();
  }
}

@Injectable()
class MigrationRunner implements OnModuleInit {
  private readonly log = new Logger('Database');
  constructor(
    private readonly orm: MikroORM,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const applied = await migrate(this.orm, this.config.databaseUrl);
    if (applied.length) this.log.log(`applied migrations: ${applied.join(', ')}`);
    const [audit] = (await this.orm.em.getConnection().execute(OWNS_AUDIT_TABLES_SQL)) as { owns: boolean }[];
    if (audit?.owns) {
      this.log.warn('the app role owns the audit tables, so it could drop their append-only guards: run `npm run db:secure-audit` (README, "Audit tables")');
    }
  }
}

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        MikroOrmModule.forRoot({
          ...ormOptions(config.databaseUrl),
          autoLoadEntities: true,
          registerRequestContext: false,
        }),
      ],
      providers: [Database, MigrationRunner, InstanceLiveness],
      exports: [Database, InstanceLiveness],
    };
  }
}
