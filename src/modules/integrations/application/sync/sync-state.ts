/**
 * The sync state of one integration and its named transitions. Pure TypeScript (no Nest, no SQL):
 * the saga loads it from the integration's columns, calls one transition per step, and writes
 * `columns()` back together with `pullEvents()` in one transaction. No other code writes these
 * columns (the connect flow only resets them on connect/reconnect).
 *
 *            connect                 last page                 auth revoked
 *   (none) ─────────► backfill ─────────────────► live ─────────────────────► paused
 *                      │  ▲ pageDone/yielded        │ ▲ runDone/yielded            (reconnect → backfill|live)
 *                      │  └─ rateLimited ──┘         │ └─ rateLimited / failed (transient, backoff)
 *                      └─ failed (transient) ─┘      │
 *
 * Why the state lives on the integration (integrations module) rather than a module of its own:
 * it is that aggregate's state (the API renders it as `Integration.sync`, disconnect and
 * reauthorisation must stop it in the same transaction), and no module reads another's tables.
 */

import type { ListOrder } from './comment-walk';

export type SyncStage = 'backfill' | 'live' | 'paused';

/** Where a backfill is; committed with each page, so a killed sync resumes here. */
export interface BackfillCheckpoint {
  /** `videos`: paging `video/list`; `comments`: importing each stored video's comments in keyset order. */
  phase: 'videos' | 'comments';
  /** `video/list` cursor of the next page (ms), 0 for the first. */
  videoCursor: number;
  /** The last video taken up for import (keyset position: postedAt desc, id desc); the next comes after it. */
  afterVideo: { postedAt: string; id: string } | null;
  /**
   * The videos being imported (several at once, `BACKFILL_LANES`), each with the position of its
   * next `comment/list` page. A video leaves the list when its last page is stored.
   */
  lanes: BackfillVideo[];
}

/** A checkpoint saved before lanes existed (one `current` video, `afterVideo` the last finished one). */
interface LegacyBackfillCheckpoint extends Omit<BackfillCheckpoint, 'lanes'> {
  lanes?: BackfillVideo[];
  current?: BackfillVideo | null;
}

/** A video whose comments a backfill is importing. */
export interface BackfillVideo {
  videoId: string;
  tiktokVideoId: string;
  postedAt: string;
  cursor: number;
  /** The pass of the walk (comment-walk.ts); absent: newest first. */
  order?: ListOrder;
  /** Where the oldest-first pass ends (comment-walk.ts `WalkPosition.until`). */
  until?: number;
  /** Newest comment or reply seen so far (ISO), for the video's first poll. */
  newestAt?: string | null;
}

export interface ReconcileCheckpoint {
  videoId: string;
  tiktokVideoId: string;
  cursor: number;
  /** The pass of the walk (comment-walk.ts); absent: newest first. */
  order?: ListOrder;
  /** Where the oldest-first pass ends (comment-walk.ts `WalkPosition.until`). */
  until?: number;
  seen: string[] | null;
}

/** A sweep of one video in progress: the position of its next top-level page. */
export interface SweepCheckpoint {
  videoId: string;
  tiktokVideoId: string;
  cursor: number;
  /** The pass of the walk (comment-walk.ts); absent: newest first. */
  order?: ListOrder;
  /** Where the oldest-first pass ends (comment-walk.ts `WalkPosition.until`). */
  until?: number;
}

/** Largest `seen` list kept in a reconciliation checkpoint. */
export const MAX_SEEN = 5_000;

/** Everything the saga keeps in `sync_state`. */
export interface SyncCheckpoint {
  backfill?: BackfillCheckpoint;
  /**
   * A full reconciliation of one video in progress (it may span runs). `seen` holds the TikTok ids
   * listed so far while there are at most `MAX_SEEN`; past that it is null and this pass cannot
   * tell deletions (webhooks and the next pass still can).
   */
  reconcile?: ReconcileCheckpoint;
  /** A sweep of one recent video in progress (it may span runs). */
  sweep?: SweepCheckpoint;
  /** Totals of the run in progress (for the completed event). */
  run?: { videos: number; comments: number; changed: number };
}

/** The integration columns this class owns. */
export interface SyncColumns {
  sync_stage: SyncStage;
  sync_state: SyncCheckpoint;
  sync_failures: number;
  next_sync_at: Date | null;
  last_synced_at: Date | null;
  last_sync_error: string | null;
  videos_known: number;
  videos_backfilled: number;
  comments_stored: number;
}

/** Why a run failed; stable codes (they reach `lastSyncError` and `tiktok.sync.failed`). */
export type SyncFailureReason = 'TIKTOK_UNAVAILABLE' | 'TIKTOK_REJECTED' | 'AUTH_REVOKED' | 'INTERNAL_ERROR';

export interface SyncEvent {
  type: 'tiktok.sync.completed' | 'tiktok.sync.failed';
  data: Record<string, unknown>;
}

/** Longest retry backoff after repeated transient failures. */
export const MAX_BACKOFF_MS = 60 * 60_000;

const emptyBackfill = (): BackfillCheckpoint => ({ phase: 'videos', videoCursor: 0, afterVideo: null, lanes: [] });

function upgrade(b: LegacyBackfillCheckpoint): BackfillCheckpoint {
  const { current, lanes, ...rest } = b;
  if (lanes) return { ...rest, lanes };
  if (!current) return { ...rest, lanes: [] };
  return { ...rest, afterVideo: { postedAt: current.postedAt, id: current.videoId }, lanes: [current] };
}

export class SyncState {
  private events: SyncEvent[] = [];
  private c: SyncColumns;

  private constructor(columns: SyncColumns) {
    this.c = { ...columns, sync_state: structuredClone(columns.sync_state ?? {}) };
  }

  static from(columns: SyncColumns): SyncState {
    return new SyncState(columns);
  }

  get stage(): SyncStage {
    return this.c.sync_stage;
  }

  get failures(): number {
    return this.c.sync_failures;
  }

  /** The backfill checkpoint (a fresh one when none was saved). */
  get backfill(): BackfillCheckpoint {
    const b = this.c.sync_state.backfill as LegacyBackfillCheckpoint | undefined;
    return b ? upgrade(b) : emptyBackfill();
  }

  columns(): SyncColumns {
    return { ...this.c, sync_state: structuredClone(this.c.sync_state) };
  }

  pullEvents(): SyncEvent[] {
    return this.events.splice(0);
  }

  /** A fresh backfill from the first page (connect, or a backfill checkpoint that cannot be used). */
  startBackfill(now: Date): void {
    this.c.sync_stage = 'backfill';
    this.c.sync_state = { backfill: emptyBackfill(), run: { videos: 0, comments: 0, changed: 0 } };
    this.c.next_sync_at = now;
  }

  /** One `video/list` page of the backfill is stored. */
  videosPageDone(p: { nextCursor: number; hasMore: boolean; newVideos: number }): void {
    this.requireStage('backfill');
    const b = this.backfill;
    this.c.sync_state.backfill = p.hasMore ? { ...b, videoCursor: p.nextCursor } : { ...b, phase: 'comments', videoCursor: p.nextCursor };
    this.c.videos_known += p.newVideos;
    this.count({ videos: p.newVideos });
  }

  /** A video is taken up for import (it becomes a lane, and the keyset moves past it). */
  videoTaken(video: { id: string; tiktokVideoId: string; postedAt: string }): BackfillVideo {
    this.requireStage('backfill');
    const b = this.backfill;
    const lane: BackfillVideo = { videoId: video.id, tiktokVideoId: video.tiktokVideoId, postedAt: video.postedAt, cursor: 0 };
    this.c.sync_state.backfill = { ...b, afterVideo: { postedAt: video.postedAt, id: video.id }, lanes: [...b.lanes, lane] };
    return lane;
  }

  /** One `comment/list` page (with its replies) of a video is stored; `nextCursor` null: the video is done. */
  commentsPageDone(p: {
    video: { id: string; tiktokVideoId: string; postedAt: string };
    nextCursor: number | null;
    /** the pass of the next page; default newest first */
    order?: ListOrder;
    until?: number;
    newestAt?: string | null;
    newComments: number;
  }): void {
    this.requireStage('backfill');
    const b = this.backfill;
    this.c.comments_stored += p.newComments;
    this.count({ comments: p.newComments });
    const others = b.lanes.filter((l) => l.videoId !== p.video.id);
    if (p.nextCursor === null) {
      this.c.sync_state.backfill = { ...b, lanes: others };
      this.c.videos_backfilled += 1;
    } else {
      const lane: BackfillVideo = { videoId: p.video.id, tiktokVideoId: p.video.tiktokVideoId, postedAt: p.video.postedAt, cursor: p.nextCursor };
      if (p.order === 'asc') lane.order = 'asc';
      if (p.until !== undefined) lane.until = p.until;
      if (p.newestAt) lane.newestAt = p.newestAt;
      const at = b.lanes.findIndex((l) => l.videoId === p.video.id);
      this.c.sync_state.backfill = { ...b, lanes: at < 0 ? [...b.lanes, lane] : b.lanes.map((l, i) => (i === at ? lane : l)) };
    }
  }

  /** A claimed integration whose stage is `paused` (reconnected): carry on where it stopped. */
  resume(now: Date): void {
    if (this.c.sync_stage !== 'paused') return;
    this.c.sync_stage = this.c.sync_state.backfill || this.c.videos_backfilled === 0 ? 'backfill' : 'live';
    this.c.next_sync_at = now;
  }

  /** Progress of a reconciliation that spans runs (null: none in progress, or it finished). */
  get reconcile(): ReconcileCheckpoint | null {
    return this.c.sync_state.reconcile ?? null;
  }

  reconcilePageDone(next: ReconcileCheckpoint | null): void {
    if (next === null) delete this.c.sync_state.reconcile;
    else this.c.sync_state.reconcile = { ...next, seen: next.seen && next.seen.length <= MAX_SEEN ? next.seen : null };
  }

  /** Progress of a sweep that spans runs (null: none in progress, or it finished). */
  get sweep(): SweepCheckpoint | null {
    return this.c.sync_state.sweep ?? null;
  }

  sweepPageDone(next: SweepCheckpoint | null): void {
    this.requireStage('live');
    if (next === null) delete this.c.sync_state.sweep;
    else this.c.sync_state.sweep = next;
  }

  /** New comments stored outside the backfill (polls, reconciliation, webhooks). */
  commentsStored(n: number, changed = 0): void {
    this.c.comments_stored += n;
    this.count({ comments: n, changed });
  }

  /** New videos stored by a live run. */
  videosFound(n: number): void {
    this.c.videos_known += n;
    this.count({ videos: n });
  }

  /**
   * Every video and comment is imported: the integration goes live. `commentsStored` is the exact
   * count from the database (the running count misses pages stored just before a crash, whose
   * re-read found nothing new).
   */
  backfillDone(now: Date, intervalMs: number, commentsStored?: number): void {
    this.requireStage('backfill');
    if (commentsStored !== undefined) this.c.comments_stored = commentsStored;
    const run = this.c.sync_state.run ?? { videos: 0, comments: 0, changed: 0 };
    this.c.sync_stage = 'live';
    this.c.sync_state = {};
    this.succeeded(now, intervalMs);
    this.events.push({
      type: 'tiktok.sync.completed',
      data: { stage: 'backfill', videosKnown: this.c.videos_known, videosBackfilled: this.c.videos_backfilled, commentsStored: this.c.comments_stored, newVideos: run.videos, newComments: run.comments },
    });
  }

  /**
   * A live run finished. `tiktok.sync.completed` is recorded only when the run stored something
   * or ended a failure streak: a quiet account syncs every interval, and an event per quiet run
   * would flood the audit log with nothing.
   */
  liveRunDone(now: Date, intervalMs: number): void {
    this.requireStage('live');
    const run = this.c.sync_state.run ?? { videos: 0, comments: 0, changed: 0 };
    const recovered = this.c.sync_failures > 0;
    const { reconcile, sweep } = this.c.sync_state;
    this.c.sync_state = { ...(reconcile ? { reconcile } : {}), ...(sweep ? { sweep } : {}) };
    this.succeeded(now, intervalMs);
    if (run.videos + run.comments + run.changed > 0 || recovered) {
      this.events.push({
        type: 'tiktok.sync.completed',
        data: { stage: 'live', newVideos: run.videos, newComments: run.comments, changedComments: run.changed, commentsStored: this.c.comments_stored, recovered },
      });
    }
  }

  /** The run stopped at its time or call budget with work left: run again at once (after others had their turn). */
  yielded(now: Date): void {
    this.c.next_sync_at = now;
  }

  /** The rate budget has no room: wait for it. Not a failure: no count, no event, no error. */
  rateLimited(now: Date, retryAfterMs: number): void {
    this.c.next_sync_at = new Date(now.getTime() + Math.max(1_000, retryAfterMs));
  }

  /**
   * A transient or unexpected failure: retried by the scheduler later with full-jitter
   * exponential backoff (`random` in [0, 1)); the checkpoint stays, so the retry resumes.
   */
  failed(now: Date, reason: SyncFailureReason, detail: string, intervalMs: number, random: number): void {
    this.c.sync_failures += 1;
    const cap = Math.min(MAX_BACKOFF_MS, intervalMs * 2 ** Math.min(this.c.sync_failures, 16));
    const delay = Math.max(intervalMs, Math.floor(cap / 2 + (random * cap) / 2));
    this.c.next_sync_at = new Date(now.getTime() + delay);
    this.c.last_sync_error = reason;
    this.events.push({
      type: 'tiktok.sync.failed',
      data: { stage: this.c.sync_stage, reason, detail, failures: this.c.sync_failures, nextRunAt: this.c.next_sync_at.toISOString() },
    });
  }

  /** TikTok refused the grant: the sync stops until an admin reconnects (the integration is `reauth_required`). */
  reauthRequired(reason: string): void {
    const stage = this.c.sync_stage;
    this.c.sync_stage = 'paused';
    this.c.next_sync_at = null;
    this.c.last_sync_error = 'AUTH_REVOKED';
    this.events.push({ type: 'tiktok.sync.failed', data: { stage, reason: 'AUTH_REVOKED', detail: reason, failures: this.c.sync_failures } });
  }

  private succeeded(now: Date, intervalMs: number): void {
    this.c.sync_failures = 0;
    this.c.last_synced_at = now;
    this.c.last_sync_error = null;
    this.c.next_sync_at = new Date(now.getTime() + intervalMs);
  }

  private count(d: { videos?: number; comments?: number; changed?: number }): void {
    const run = (this.c.sync_state.run ??= { videos: 0, comments: 0, changed: 0 });
    run.videos += d.videos ?? 0;
    run.comments += d.comments ?? 0;
    run.changed += d.changed ?? 0;
  }

  private requireStage(stage: SyncStage): void {
    if (this.c.sync_stage !== stage) throw new Error(`sync transition needs stage ${stage}, is ${this.c.sync_stage}`);
  }
}
