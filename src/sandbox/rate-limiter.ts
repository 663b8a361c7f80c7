/** One limit: at most `max` hits per `windowMs` (sliding window). */
export interface WindowLimit {
  key: string;
  max: number;
  windowMs: number;
}

/**
 * Sliding-window log limiter. A refused attempt does not consume a slot, and
 * all limits of one request are checked before any of them is charged.
 */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  /** Charges every limit and returns true, or charges nothing and returns false. */
  tryAcquire(limits: readonly WindowLimit[], now: number): boolean {
    for (const limit of limits) {
      if (this.recent(limit, now).length >= limit.max) return false;
    }
    for (const limit of limits) this.recent(limit, now).push(now);
    return true;
  }

  reset(): void {
    this.hits.clear();
  }

  private recent(limit: WindowLimit, now: number): number[] {
    const list = this.hits.get(limit.key) ?? [];
    const from = now - limit.windowMs;
    let drop = 0;
    while (drop < list.length && list[drop] <= from) drop++;
    const kept = drop > 0 ? list.slice(drop) : list;
    this.hits.set(limit.key, kept);
    return kept;
  }
}
