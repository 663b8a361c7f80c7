import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@shared/config/app-config';
import { BackgroundLoop } from '@shared/event-log/background-loop';
import { InstanceLiveness } from '@shared/database/instance-liveness';
import { LEASE_TTL_MS, TikTokSyncSaga } from './tiktok-sync.saga';
import { SyncRepository } from './sync.repository';

/** Integrations one instance syncs at once; each run is bounded in time, so a slow one never holds a slot for long. */
export const SYNC_CONCURRENCY = 4;
const TICK_MS = 1_000;

/**
 * The sync tick (when `config.workers`): it only decides which integrations are due and starts
 * one run for each it can lease, up to `SYNC_CONCURRENCY` at a time, without waiting for them.
 * Runs are independent: one integration's errors, waits for the rate budget or slow answers
 * never delay another's beyond the shared concurrency cap, and every run ends within
 * `MAX_RUN_MS` (checkpointed) and gives its slot back.
 */
@Injectable()
export class TikTokSyncScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('TikTokSyncScheduler');
  private readonly loop: BackgroundLoop;
  private readonly running = new Map<string, Promise<void>>();
  constructor(
    private readonly repo: SyncRepository,
    private readonly saga: TikTokSyncSaga,
    private readonly liveness: InstanceLiveness,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.loop = new BackgroundLoop('tiktok-sync', Math.min(TICK_MS, config.syncIntervalSeconds * 1000), () => this.tick(), this.log);
  }

  onApplicationBootstrap(): void {
    if (this.config.workers) this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.saga.stop();
    await this.loop.stop();
    await Promise.allSettled([...this.running.values()]);
  }

  /** One tick: lease and start the due integrations this instance has room for. Returns the runs started. */
  async tick(): Promise<Promise<void>[]> {
    const due = await this.repo.due(SYNC_CONCURRENCY - this.running.size);
    if (due.length === 0) return [];
    const accounts = await this.repo.activeAccounts();
    // lease only under an owner whose liveness lock is held: others tell from it that we are alive
    const owner = await this.liveness.owner();
    const started: Promise<void>[] = [];
    for (const d of due) {
      const key = `${d.tenant}/${d.integrationId}`;
      if (this.running.has(key)) continue;
      const claim = await this.repo.claim(d.tenant, d.integrationId, owner, LEASE_TTL_MS);
      if (!claim) continue; // another instance leased it first
      const p = this.saga.run(claim, accounts).finally(() => {
        this.running.delete(key);
        this.loop.wake();
      });
      this.running.set(key, p);
      started.push(p);
    }
    return started;
  }

  /** Tests and tools (workers off): one tick, waiting for the runs it started. Returns how many ran. */
  async syncOnce(): Promise<number> {
    const runs = await this.tick();
    await Promise.all(runs);
    return runs.length;
  }

  /** Tests and tools: ticks until nothing is due (a backfill yields between runs), at most `maxRuns` ticks. */
  async syncUntilIdle(maxRuns = 50): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxRuns; i++) {
      const n = await this.syncOnce();
      if (n === 0) break;
      total += n;
    }
    return total;
  }
}
