import { createHmac } from 'node:crypto';

/**
 * The `Tiktok-Signature` header value for a body: `t=<t>,s=<hex HMAC-SHA256(secret, t + "." + body)>`.
 */
export function signWebhook(secret: string, body: string, t: number): string {
  const s = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},s=${s}`;
}

/** One attempt to POST a delivery. */
export interface DeliveryAttempt {
  at: number;
  /** HTTP status answered, when there was an answer. */
  status?: number;
  /** Connection or timeout error text, when there was no answer. */
  error?: string;
}

/** A webhook delivery (each duplicate copy is its own delivery). */
export interface WebhookDelivery {
  id: number;
  url: string;
  /** The exact raw body sent. */
  body: string;
  /** Parsed envelope (the `content` field stays a JSON string). */
  event: string;
  userOpenId: string;
  /** 0 for the original, 1.. for duplicate copies. */
  copy: number;
  attempts: DeliveryAttempt[];
  /** Status of the last attempt (undefined while pending or after a connection error). */
  status?: number;
  state: 'pending' | 'delivered' | 'failed';
  /** Signature header of the last attempt. */
  signature?: string;
}

/** Delivery behaviour. */
export interface WebhookDispatchOptions {
  clientSecret: string;
  delayMs: number;
  duplicates: number;
  /** Total attempts per delivery, the first included. */
  maxAttempts: number;
  /** Backoff before retry n is retryBaseMs * 2^(n-1). */
  retryBaseMs: number;
  /** Per-attempt timeout. */
  timeoutMs: number;
  /** Clock for the signature timestamp. */
  now: () => number;
}

/**
 * Sends signed comment webhooks with delay, duplicate copies and retries with
 * exponential backoff. Real timers (not the injectable clock) drive the delays.
 */
export class WebhookDispatcher {
  private readonly list: WebhookDelivery[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly waiters = new Set<() => void>();
  private readonly abort = new AbortController();
  private closed = false;
  private nextId = 1;

  constructor(private readonly opts: WebhookDispatchOptions) {}

  /** Schedules `body` (plus duplicate copies) to be POSTed to `url`. */
  enqueue(url: string, body: string, event: string, userOpenId: string): void {
    if (this.closed) return;
    for (let copy = 0; copy <= this.opts.duplicates; copy++) {
      const delivery: WebhookDelivery = {
        id: this.nextId++,
        url,
        body,
        event,
        userOpenId,
        copy,
        attempts: [],
        state: 'pending',
      };
      this.list.push(delivery);
      this.track(this.run(delivery));
    }
  }

  /** Every delivery so far, oldest first. */
  deliveries(): WebhookDelivery[] {
    return this.list.map((d) => ({ ...d, attempts: [...d.attempts] }));
  }

  /** Resolves when no delivery is pending (retries included). */
  async flush(): Promise<void> {
    while (this.pending.size > 0 && !this.closed) {
      await Promise.allSettled([...this.pending]);
    }
  }

  /** Cancels timers and in-flight requests; pending deliveries end as failed. */
  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const wake of this.waiters) wake();
    this.waiters.clear();
    this.abort.abort();
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.timers.delete(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.timers.add(timer);
      this.waiters.add(wake);
    });
  }

  private async run(d: WebhookDelivery): Promise<void> {
    await this.sleep(this.opts.delayMs);
    for (let attempt = 1; attempt <= this.opts.maxAttempts; attempt++) {
      if (this.closed) break;
      if (attempt > 1) {
        await this.sleep(this.opts.retryBaseMs * 2 ** (attempt - 2));
        if (this.closed) break;
      }
      const ok = await this.attempt(d);
      if (ok) {
        d.state = 'delivered';
        return;
      }
    }
    d.state = 'failed';
  }

  private async attempt(d: WebhookDelivery): Promise<boolean> {
    const t = Math.floor(this.opts.now() / 1000);
    const signature = signWebhook(this.opts.clientSecret, d.body, t);
    d.signature = signature;
    const record: DeliveryAttempt = { at: Date.now() };
    d.attempts.push(record);
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'tiktok-signature': signature },
        body: d.body,
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.opts.timeoutMs)]),
      });
      // Drain the body so the connection is released.
      await res.arrayBuffer().catch(() => undefined);
      record.status = res.status;
      d.status = res.status;
      return res.status >= 200 && res.status < 300;
    } catch (err: unknown) {
      record.error = err instanceof Error ? err.message : String(err);
      d.status = undefined;
      return false;
    }
  }
}
