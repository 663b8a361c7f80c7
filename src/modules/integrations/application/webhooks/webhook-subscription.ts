import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@shared/config/app-config';
import { TIKTOK_API, type TikTokApi } from '@shared/tiktok/tiktok-api.port';

const MAX_RETRY_MS = 5 * 60_000;

/**
 * At start-up with `TIKTOK_WEBHOOK_URL` set, makes sure the app's `COMMENT` subscription points at
 * it (`webhook/list`, then `webhook/update` only when it does not). Never blocks or fails
 * start-up: TikTok being unreachable is logged and retried with backoff in the background.
 * Polling stays on as the backstop either way.
 */
@Injectable()
export class WebhookSubscription implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('TikTokWebhookSubscription');
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** settles when the first attempt is done (tests) */
  firstAttempt: Promise<boolean> = Promise.resolve(false);

  constructor(
    @Inject(TIKTOK_API) private readonly api: TikTokApi,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const url = this.config.tiktok.webhookUrl;
    if (!url) return;
    this.firstAttempt = this.attempt(url, 1);
  }

  beforeApplicationShutdown(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** One check; on failure schedules the next. Resolves true when the subscription is in place. */
  async ensure(url: string): Promise<boolean> {
    const subs = await this.api.listWebhooks({ eventType: 'COMMENT' }, { maxWaitMs: 5_000 });
    if (subs.some((s) => s.callbackUrl === url)) {
      this.log.log({ msg: 'comment webhook subscription in place', callbackUrl: url });
      return true;
    }
    await this.api.updateWebhook({ eventType: 'COMMENT', callbackUrl: url }, { maxWaitMs: 5_000 });
    this.log.log({ msg: 'comment webhook subscription updated', callbackUrl: url, previous: subs.map((s) => s.callbackUrl) });
    return true;
  }

  private async attempt(url: string, n: number): Promise<boolean> {
    try {
      return await this.ensure(url);
    } catch (err) {
      const delay = Math.min(MAX_RETRY_MS, 1_000 * 2 ** Math.min(n, 16));
      this.log.warn({ msg: 'comment webhook subscription not confirmed; retrying', attempt: n, retry_in_ms: delay, err: (err as Error).message });
      if (!this.stopped) {
        this.timer = setTimeout(() => void this.attempt(url, n + 1), delay);
        this.timer.unref();
      }
      return false;
    }
  }
}
