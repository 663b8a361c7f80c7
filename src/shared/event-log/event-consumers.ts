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
  /**
   * Optional: acts on several events of one tenant at once (in order, none handled before), in
   * one transaction; when present it is used instead of `handle` for a run of events, so a
   * consumer can fold many events into one statement.
   */
  handleMany?(events: DeliveredEvent[], tx: Tx): Promise<void>;
  /**
   * Optional: acting on an event twice has the same effect as acting on it once (e.g. "keep the
   * greatest"). Such a consumer's events are not recorded in `handled_event`: a redelivery after a
   * crash between its transaction and the checkpoint's simply acts again, harmlessly.
   */
  idempotent?: boolean;
}

const BATCH = 500;

/**
 * Delivers sealed events to consumers at least once, in global `position` order, and makes each
 * act once: the handler runs in a transaction that also inserts (consumer, event) into
 * `handled_event`; a conflict means it was done already. Consecutive events of one tenant share
 * that transaction (one commit for a run, not one per event); when a run fails its events are
 * retried one by one, so the checkpoint stops exactly before the event that fails. One instance at a time works a consumer
 * (`for update skip locked` on its checkpoint row); any instance may.
 */
@Injectable()
export class EventConsumers {
  private readonly log = new Logger('EventConsumers');
  private readonly consumers = new Map<string, EventConsumer>();
  /** consumers whose checkpoint row is known to exist */
  private readonly checkpointed = new Set<string>();
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

  /**
   * Acts on `events` (one tenant, in order) in one transaction: records them as handled and runs
   * the handler for those not recorded before (a redelivery), so the handler's writes and the
   * records commit together. An idempotent consumer just acts (nothing to record).
   */
  private async handleRun(consumer: EventConsumer, tenant: string, events: DeliveredEvent[]): Promise<void> {
    // The commit need not wait for its WAL flush: the checkpoint's transaction commits after it and
    // does wait, which flushes this one too (the log is sequential). A crash before that loses both,
    // and the events are delivered again: at least once still, and acted on once.
    await this.db.inTenant(tenant, async (tx) => {
      if (consumer.idempotent) {
        if (consumer.handleMany) await consumer.handleMany(events, tx);
        else for (const e of events) await consumer.handle(e, tx);
        return;
      }
      const fresh = await tx.query<{ event_id: string }>(
        `insert into handled_event (tenant_id, consumer, event_id) select $1, $2, unnest($3::uuid[]) on conflict do nothing returning event_id`,
        [tenant, consumer.name, events.map((e) => e.id)],
      );
      const todo = new Set(fresh.map((r) => r.event_id));
      const unhandled = events.filter((e) => todo.has(e.id));
      if (unhandled.length === 0) return;
      if (consumer.handleMany) await consumer.handleMany(unhandled, tx);
      else for (const e of unhandled) await consumer.handle(e, tx);
    }, { deferredCommit: true });
  }

  /** Returns how many events the consumer handled and how many its checkpoint moved past. */
  private async deliverTo(consumer: EventConsumer): Promise<{ handled: number; advanced: number }> {
    let failure = null as Error | null;
    const result = await this.db.inSystem(async (sys) => {
      if (!this.checkpointed.has(consumer.name)) {
        await sys.run('insert into consumer_checkpoint (consumer, position) values ($1, 0) on conflict do nothing', [consumer.name]);
      }
      // The checkpoint (locked: one instance at a time per consumer) and the batch after it, in one
      // round trip. Positions are gap-free (the sealer numbers each batch on from the last, under its
      // lock, and seals are never deleted), so the next batch is a closed range: a plan that stays
      // small even while the statistics lag a fast-growing log (an open `position > $1` was sorted whole).
      const read = await sys.query<SealedRow & { checkpoint: string }>(
        `select cp.position as checkpoint, x.*
           from (select position from consumer_checkpoint where consumer = $1 for update skip locked) cp
           left join lateral (
             select ${SEALED_COLUMNS} from event_seal s join event_log e on e.id = s.event_id
              where s.position > cp.position and s.position <= cp.position + $2) x on true
          order by x.position`,
        [consumer.name, BATCH],
      );
      if (read.length === 0) {
        this.checkpointed.delete(consumer.name); // locked by another instance (or not there: made again next pass)
        return { handled: 0, advanced: 0 };
      }
      this.checkpointed.add(consumer.name);
      const cp = { position: read[0].checkpoint };
      const rows = read.filter((r) => r.id !== null);
      let position = Number(cp.position);
      let handled = 0;
      const events = rows.map(toDeliveredEvent);
      const wanted = (e: DeliveredEvent): boolean => consumer.types.includes(e.type);
      for (let i = 0; i < events.length && !failure; ) {
        if (!wanted(events[i])) {
          position = events[i].position;
          i += 1;
          continue;
        }
        // A run of events of one tenant (skipped types may sit in between): one transaction, one commit.
        const tenant = events[i].tenant;
        let end = i;
        while (end < events.length && (!wanted(events[end]) || events[end].tenant === tenant)) end += 1;
        const run = events.slice(i, end);
        try {
          await this.handleRun(consumer, tenant, run.filter(wanted));
          handled += run.filter(wanted).length;
          position = run[run.length - 1].position;
        } catch (err) {
          // One by one, so that the events before the failing one are done and it is the next to retry.
          for (const e of run) {
            if (wanted(e)) {
              try {
                await this.handleRun(consumer, tenant, [e]);
              } catch (one) {
                failure = new Error(`consumer ${consumer.name} failed on event ${e.id} (${e.type}): ${(one as Error).message}`);
                break; // keep order: the loop backs off and retries from this event
              }
              handled += 1;
            }
            position = e.position;
          }
          if (!failure) this.log.warn({ msg: 'a batch failed but each of its events then succeeded', consumer: consumer.name, err: (err as Error).message });
        }
        i = end;
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
