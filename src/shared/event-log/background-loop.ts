import type { LoggerService } from '@nestjs/common';

/**
 * Runs `work` repeatedly: again at once when woken, otherwise every `intervalMs`. Never two runs
 * at once; errors are logged and retried with backoff; `stop()` waits for the run in flight.
 */
export class BackgroundLoop {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private active = false;
  private again = false;
  private failures = 0;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly work: () => Promise<unknown>,
    private readonly log: LoggerService,
  ) {}

  start(): void {
    if (this.active) return;
    this.active = true;
    this.schedule(0);
  }

  wake(): void {
    if (!this.active) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.active = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(ms: number): void {
    if (!this.active) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.tick().finally(() => {
        this.running = null;
      });
    }, ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.again = false;
    try {
      await this.work();
      this.failures = 0;
    } catch (err) {
      this.failures += 1;
      this.log.error(`${this.name} failed (${this.failures} in a row): ${(err as Error).message}`);
    }
    const backoff = this.failures > 0 ? Math.min(30_000, this.intervalMs * 2 ** Math.min(this.failures, 10)) : 0;
    this.schedule(this.again && backoff === 0 ? 0 : Math.max(this.intervalMs, backoff));
  }
}
