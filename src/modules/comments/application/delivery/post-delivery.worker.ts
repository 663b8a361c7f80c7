import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@shared/config/app-config';
import { Database } from '@shared/database/database';
import { BackgroundLoop } from '@shared/event-log/background-loop';
import { PostDelivery } from './post-delivery';

const BATCH = 20;
const INTERVAL_MS = 500;

/**
 * Finishes `pending` posts nobody is working on: left by a crash, waiting for a retry after
 * TikTok was unreachable, or whose unknown outcome is still being checked. Finding due posts
 * spans tenants, so that one small query runs in the system scope; each post is then claimed
 * (its lease) and worked in its own tenant's transactions, so instances never work one post twice.
 */
@Injectable()
export class PostDeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('PostDeliveryWorker');
  private readonly loop: BackgroundLoop;

  constructor(
    private readonly db: Database,
    private readonly delivery: PostDelivery,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.loop = new BackgroundLoop('post-delivery', INTERVAL_MS, () => this.runOnce(), this.log);
  }

  onApplicationBootstrap(): void {
    if (this.config.workers) this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** One pass: works every due post (at most a batch). Returns how many it claimed. */
  async runOnce(): Promise<number> {
    const due = await this.db.inSystem((tx) =>
      tx.query<{ tenant_id: string; id: string }>(
        `select tenant_id, id from tiktok_comment
          where delivery_state = 'pending'
            and (next_delivery_at is null or next_delivery_at <= now())
            and (delivery_lease_until is null or delivery_lease_until < now())
          order by next_delivery_at nulls first limit $1`,
        [BATCH],
      ),
    );
    let claimed = 0;
    for (const d of due) {
      if (!(await this.delivery.claim(d.tenant_id, d.id))) continue;
      claimed += 1;
      try {
        await this.delivery.run(d.tenant_id, d.id);
      } catch (err) {
        this.log.error(`post ${d.id}: ${(err as Error).message}`);
      }
    }
    return claimed;
  }
}
