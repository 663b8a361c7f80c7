import { Global, Inject, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { Database } from '../database/database';
import { Metrics } from '../operations/metrics';
import { Checkpointer } from './checkpointer';
import { EventConsumers } from './event-consumers';
import { EventLog } from './event-log';
import { EventLogReader } from './event-log-reader';
import { Sealer } from './sealer';

/** The event log: append (any module), seal, checkpoint, deliver, read. */
@Global()
@Module({
  providers: [EventLog, Sealer, Checkpointer, EventConsumers, EventLogReader],
  exports: [EventLog, Sealer, Checkpointer, EventConsumers, EventLogReader],
})
export class EventLogModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly sealer: Sealer,
    private readonly checkpointer: Checkpointer,
    private readonly consumers: EventConsumers,
    private readonly db: Database,
    metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    metrics.gauge('event_unsealed', 'events written but not yet sealed', [], async () => {
      const row = await this.db.inSystem((tx) => tx.one<{ c: string }>('select count(*) as c from event_pending'));
      return [{ value: Number(row?.c ?? 0) }];
    });
  }

  onApplicationBootstrap(): void {
    if (!this.config.workers) return;
    this.sealer.start();
    this.checkpointer.start();
    this.consumers.start();
  }

  /**
   * Before, not on, application shutdown: MikroORM closes its pool in its own
   * `onApplicationShutdown`, which may run first; a loop tick that then asks the closed pool for
   * a connection waits out knex's 60 s acquire timeout and stalls the whole shutdown.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.sealer.stop(), this.checkpointer.stop(), this.consumers.stop()]);
  }
}
