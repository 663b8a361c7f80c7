import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '../database/database';
import type { Tx } from '../database/tx';

/** At most `max` calls in any sliding `windowMs`. */
export interface WindowLimit {
  max: number;
  windowMs: number;
}

/** The limits a budget enforces (DESIGN.md section 2). */
export interface TikTokBudgetLimits {
  /** Per TikTok account (open_id) and endpoint; default 40 per 60 s. */
  perAccountEndpoint: WindowLimit;
  /** All budgeted calls of the app; default 600 per 60 s. */
  appPerWindow: WindowLimit;
  /** All budgeted calls of the app; default 10 per 1 s. */
  appPerSecond: WindowLimit;
  /**
   * Extra time a hit is kept beyond its window. A slot is taken before the request leaves, so it
   * reaches TikTok a little later than its recorded time; the margin absorbs that delay so that
   * two calls a window apart here are still a window apart at TikTok. Capped at a quarter of the
   * window. Default 1 s (a loaded
   * 2-core machine was seen delaying a request by more than 250 ms; 1 s costs under 2 % of a minute).
   */
  marginMs: number;
}

/** Defaults: TikTok's documented Basic-tier limits, read as sliding windows (the stricter reading). */
export const DEFAULT_BUDGET_LIMITS: TikTokBudgetLimits = {
  perAccountEndpoint: { max: 40, windowMs: 60_000 },
  appPerWindow: { max: 600, windowMs: 60_000 },
  appPerSecond: { max: 10, windowMs: 1_000 },
  marginMs: 1_000,
};

/** Which budgets a call counts against: the app's always, an account's when `openId` is set. */
export interface BudgetScope {
  endpoint: string;
  /** Unset for app-level calls (webhook subscription): they count toward the app budget only. */
  openId?: string;
  /**
   * `background` takes a slot only while the bucket is below `BACKGROUND_SHARE` of its limit
   * (per-second buckets excepted): the rest is left to interactive calls.
   */
  priority?: 'interactive' | 'background';
}

/** The part of a window budget background work (the sync) may fill; the rest waits for interactive calls. */
export const BACKGROUND_SHARE = 0.75;

/** Outcome of taking a slot. */
export type BudgetGrant = { ok: true; waitedMs: number } | { ok: false; retryAfterMs: number };

/** What the HTTP client needs from a rate budget. */
export interface RateBudget {
  /**
   * Takes one slot in every bucket of `scope`, waiting (without holding a lock) while the
   * earliest free slot is within `maxWaitMs`; otherwise answers when to try again.
   */
  acquire(scope: BudgetScope, maxWaitMs: number): Promise<BudgetGrant>;
  /**
   * TikTok answered "rate limited" although the budget had room (another app sharing the
   * account, a stricter tier): treat the account's bucket as full for one whole window.
   * Returns the ms until it has room again (0 for app-level scopes, which are left alone).
   */
  penalize(scope: BudgetScope): Promise<number>;
}

/**
 * No budget at all (`TIKTOK_RATE_BUDGET=off`, never in production): every call goes at once.
 * For benchmarks against a simulator whose own limits are off, so that they measure the ingest
 * path rather than waits for slots.
 */
export const UNLIMITED_BUDGET: RateBudget = {
  acquire: () => Promise.resolve({ ok: true, waitedMs: 0 }),
  penalize: () => Promise.resolve(0),
};

interface Bucket {
  key: string;
  limit: WindowLimit;
}

interface BucketRow {
  bucket: string;
  hits: (string | number)[];
}

/**
 * Rate budgets in PostgreSQL, shared by every instance of the service.
 *
 * Why it holds across instances: each bucket is one row holding the times of its recent calls.
 * A taker locks all the rows of its call with `select ... for update` (ordered by key, so two
 * takers never deadlock), reads the database clock only after it holds the locks, and appends
 * that time to every row or to none, in one transaction. Two takers of a shared bucket are
 * therefore serialised by the row lock, and each sees the other's committed hit. Times come from
 * the one database clock, never from an instance's clock. Waiting happens outside the
 * transaction, so a saturated account holds no lock while it waits and never delays another
 * account; the app rows are locked only for the few statements of a take.
 */
export class TikTokRateBudget implements RateBudget {
  readonly limits: TikTokBudgetLimits;

  constructor(
    private readonly db: Database,
    limits: Partial<TikTokBudgetLimits> = {},
  ) {
    this.limits = { ...DEFAULT_BUDGET_LIMITS, ...limits };
  }

  async acquire(scope: BudgetScope, maxWaitMs: number): Promise<BudgetGrant> {
    const started = Date.now();
    for (;;) {
      const retryAfterMs = await this.tryTake(scope);
      const waited = Date.now() - started;
      if (retryAfterMs === 0) return { ok: true, waitedMs: waited };
      if (waited + retryAfterMs > maxWaitMs) return { ok: false, retryAfterMs };
      // A little jitter so the waiters of one bucket do not all wake on the same millisecond.
      await sleep(retryAfterMs + Math.floor(Math.random() * 15));
    }
  }

  /**
   * One atomic attempt: takes a slot in every bucket of `scope` and returns 0, or takes none and
   * returns the ms until every bucket has room.
   */
  async tryTake(scope: BudgetScope): Promise<number> {
    const buckets = this.bucketsOf(scope);
    const keys = buckets.map((b) => b.key);
    const result = await this.db.inSystem(async (tx) => {
      const rows = await this.lockRows(tx, keys);
      if (rows === null) return null;
      const now = await dbNow(tx);
      let retryAfterMs = 0;
      const next = new Map<string, number[]>();
      for (const b of buckets) {
        const keep = this.keepMs(b.limit.windowMs);
        const hits = (rows.get(b.key) ?? []).filter((t) => t > now - keep).sort((x, y) => x - y);
        const max = this.maxFor(b, scope);
        if (hits.length >= max) {
          // the hit whose expiry brings the count down to max - 1
          const freeAt = hits[hits.length - max] + keep;
          retryAfterMs = Math.max(retryAfterMs, freeAt - now + 1);
        }
        next.set(b.key, hits);
      }
      if (retryAfterMs > 0) return retryAfterMs;
      for (const [key, hits] of next) {
        hits.push(now);
        await tx.run(`update tiktok_rate_bucket set hits = $2::bigint[], updated_at = now() where bucket = $1`, [key, hits]);
      }
      return 0;
    });
    if (result !== null) return result;
    await this.createRows(keys);
    return this.tryTake(scope);
  }

  /** The bucket's limit for this call: background work leaves the top of window budgets free. */
  private maxFor(b: Bucket, scope: BudgetScope): number {
    if (scope.priority !== 'background' || b.key === 'app:second') return b.limit.max;
    return Math.max(1, Math.floor(b.limit.max * BACKGROUND_SHARE));
  }

  /** How long a hit counts: its window plus the margin, at most a quarter window (so 10/s stays 10/s). */
  private keepMs(windowMs: number): number {
    return windowMs + Math.min(this.limits.marginMs, windowMs / 4);
  }

  async penalize(scope: BudgetScope): Promise<number> {
    if (scope.openId === undefined) return 0;
    const b = this.bucketsOf(scope)[0];
    await this.createRows([b.key]);
    return this.db.inSystem(async (tx) => {
      await this.lockRows(tx, [b.key]);
      const now = await dbNow(tx);
      const hits = Array.from({ length: b.limit.max }, () => now);
      await tx.run(`update tiktok_rate_bucket set hits = $2::bigint[], updated_at = now() where bucket = $1`, [b.key, hits]);
      return this.keepMs(b.limit.windowMs);
    });
  }

  private bucketsOf(scope: BudgetScope): Bucket[] {
    const list: Bucket[] = [];
    if (scope.openId !== undefined) {
      list.push({ key: `acct:${scope.openId}:${scope.endpoint}`, limit: this.limits.perAccountEndpoint });
    }
    list.push({ key: 'app:second', limit: this.limits.appPerSecond }, { key: 'app:window', limit: this.limits.appPerWindow });
    return list;
  }

  /**
   * Locks the rows of `keys`, in key order (one statement, so every taker locks in the same
   * order and none deadlock); null when a row does not exist yet.
   */
  private async lockRows(tx: Tx, keys: string[]): Promise<Map<string, number[]> | null> {
    const rows = await tx.query<BucketRow>(
      `select bucket, hits from tiktok_rate_bucket where bucket = any($1::text[]) order by bucket for update`,
      [keys],
    );
    if (rows.length < new Set(keys).size) return null;
    return new Map(rows.map((r) => [r.bucket, r.hits.map(Number)]));
  }

  /**
   * Creates missing bucket rows in a transaction of their own. Creating them inside the taking
   * transaction would lock a new row after rows already locked, out of key order: a deadlock
   * with a taker that saw the new row first.
   */
  private async createRows(keys: string[]): Promise<void> {
    await this.db.inSystem((tx) => tx.run(`insert into tiktok_rate_bucket (bucket) select unnest($1::text[]) on conflict do nothing`, [keys]));
  }
}

/** The database clock in epoch ms: every instance measures windows on this one clock. */
async function dbNow(tx: Tx): Promise<number> {
  const row = await tx.one<{ now: string }>(`select (extract(epoch from clock_timestamp()) * 1000)::bigint as now`);
  return Number(row?.now);
}
