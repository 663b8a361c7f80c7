/**
 * In-memory sliding-window-counter limiter: at most about `limit` events per key in any
 * `windowMs` (the previous window's count is weighted by how much of it still overlaps). O(1)
 * per call and per key. Kept per instance: the per-user HTTP limit is a courtesy guard against a
 * runaway client, not a security boundary. Idle keys are swept.
 */
export class SlidingWindowLimiter {
  private readonly windows = new Map<string, { start: number; count: number; prev: number }>();
  private lastSweep = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Takes a slot; returns 0 when allowed, else the ms until one frees up. */
  take(key: string, now: number): number {
    this.sweep(now);
    const start = now - (now % this.windowMs);
    let w = this.windows.get(key);
    if (!w) {
      w = { start, count: 0, prev: 0 };
      this.windows.set(key, w);
    } else if (w.start !== start) {
      w.prev = w.start === start - this.windowMs ? w.count : 0;
      w.count = 0;
      w.start = start;
    }
    const overlap = 1 - (now - start) / this.windowMs;
    const estimate = w.prev * overlap + w.count;
    if (estimate + 1 > this.limit) {
      // when the previous window's weight has decayed enough, or at the next window at the latest
      const needed = w.prev > 0 ? ((estimate + 1 - this.limit) / w.prev) * this.windowMs : start + this.windowMs - now;
      return Math.max(1, Math.min(Math.ceil(needed), start + this.windowMs - now + this.windowMs));
    }
    w.count += 1;
    return 0;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [k, w] of this.windows) {
      if (w.start < now - 2 * this.windowMs) this.windows.delete(k);
    }
  }
}
