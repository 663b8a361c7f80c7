import { Injectable, Logger } from '@nestjs/common';
import { Database } from '../database/database';
import type { Tx } from '../database/tx';
import { Metrics } from '../operations/metrics';
import { BackgroundLoop } from './background-loop';
import { SEALED_COLUMNS, toDeliveredEvent, type SealedRow } from './event-rows';
import type { DeliveredEvent } from './event.types';
import { Sealer } from './sealer';

/** A durable subscriber to the event log. */
export interface EventConsumer {
  /** stable name: it keys the checkpoint and the handled-event records */
  name: string;
  /** event types it wants; others are skipped (and still count as handled) */
  types: readonly string[];
  /**
   * Acts on one event inside a transaction of the event's tenant. Whatever it writes commits
   * together with the record that it handled the event, so a redelivery does nothing.
   */
  handle(event: DeliveredEvent, tx: Tx): Promise<void>;
}

const BATCH = 200;

/**
 * Delivers sealed events to consumers at least once, in global `position` order, and makes each
 * act once: the handler runs in a transaction that also inserts (consumer, event) into
 * `handled_event`; a conflict means it was done already. One instance at a time works a consumer
 * (`for update skip locked` on its checkpoint row); any instance may.
 */
@Injectable()
export class EventConsumers {
  private readonly log = new Logger('EventConsumers');
  private readonly consumers = new Map<string, EventConsumer>();
  private readonly loop: BackgroundLoop;

  constructor(
    private readonly db: Database,
    sealer: Sealer,
    metrics: Metrics,
  ) {
    this.loop = new BackgroundLoop('event-consumers', 250, () => this.deliverOnce(), this.log);
    sealer.sealed$.subscribe(() => this.loop.wake());
    metrics.gauge('event_consumer_lag', 'sealed events a consumer has not yet handled', ['consumer'], async () => {
      if (this.consumers.size === 0) return [];
      const rows = await this.db.inSystem((tx) =>
        tx.query<{ consumer: string; lag: string }>(
          `select c.name as consumer, greatest(0, s.position - coalesce(k.position, 0)) as lag
             from unnest($1::text[]) as c(name)
             cross join event_sealer_state s
             left join consumer_checkpoint k on k.consumer = c.name`,
          [[...this.consumers.keys()]],
        ),
      );
      return rows.map((r) => ({ labels: { consumer: r.consumer }, value: Number(r.lag) }));
    });
  }

  register(consumer: EventConsumer): void {
    if (this.consumers.has(consumer.name)) throw new Error(`consumer ${consumer.name} registered twice`);
    this.consumers.set(consumer.name, consumer);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass over every consumer. Returns how many events were handled. */
  async deliverOnce(): Promise<number> {
    return (await this.pass()).handled;
  }

  /**
   * Delivers until every consumer is caught up (tests). Stops on a pass that moved no checkpoint,
   * not on one that handled nothing: a consumer skips the types it does not want, so a whole batch
   * can pass without a handled event while more are still waiting behind it.
   */
  async drain(): Promise<void> {
    for (let i = 0; i < 1000; i++) {
      if ((await this.pass()).advanced === 0) return;
    }
  }

  private async pass(): Promise<{ handled: number; advanced: number }> {
    let handled = 0;
    let advanced = 0;
    for (const c of this.consumers.values()) {
      const r = await this.deliverTo(c);
      handled += r.handled;
      advanced += r.advanced;
    }
    return { handled, advanced };
  }

  /** Returns how many events the consumer handled and how many its checkpoint moved past. */
  private async deliverTo(consumer: EventConsumer): Promise<{ handled: number; advanced: number }> {
    let failure = null as Error | null;
    const result = await this.db.inSystem(async (sys) => {
      await sys.run('insert into consumer_checkpoint (consumer, position) values ($1, 0) on conflict do nothing', [consumer.name]);
      const [cp] = await sys.query<{ position: string }>(
        'select position from consumer_checkpoint where consumer = $1 for update skip locked',
        [consumer.name],
      );
      if (!cp) return { handled: 0, advanced: 0 }; // another instance is delivering to this consumer
      const rows = await sys.query<SealedRow>(
        `select ${SEALED_COLUMNS} from event_seal s join event_log e on e.id = s.event_id
          where s.position > $1 order by s.position limit $2`,
        [cp.position, BATCH],
      );
      let position = Number(cp.position);
      let handled = 0;
      for (const row of rows) {
        const event = toDeliveredEvent(row);
        if (consumer.types.includes(event.type)) {
          try {
            await this.db.inTenant(event.tenant, async (tx) => {
              const fresh = await tx.run(
                'insert into handled_event (tenant_id, consumer, event_id) values ($1, $2, $3) on conflict do nothing',
                [event.tenant, consumer.name, event.id],
              );
              if (fresh === 1) await consumer.handle(event, tx);
            });
            handled += 1;
          } catch (err) {
            failure = new Error(`consumer ${consumer.name} failed on event ${event.id} (${event.type}): ${(err as Error).message}`);
            break; // keep order: the loop backs off and retries from this event
          }
        }
        position = event.position;
      }
      const advanced = rows.filter((r) => Number(r.position) <= position).length;
      if (position !== Number(cp.position)) {
        await sys.run('update consumer_checkpoint set position = $2, updated_at = now() where consumer = $1', [consumer.name, position]);
      }
      return { handled, advanced };
    });
    if (failure) throw failure;
    return result;
  }
}
