import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '@shared/config/app-config';
import { TIKTOK_API, type TikTokApi, type TikTokAuth, type TikTokComment, type TikTokPage } from '@shared/tiktok/tiktok-api.port';
import { TikTokError, isTikTokError } from '@shared/tiktok/tiktok-error';
import {
  CountSyncedCommentsQuery,
  GetCommentSyncStateQuery,
  IngestCommentsCommand,
  ListStoredCommentIdsQuery,
  MarkCommentsDeletedCommand,
} from '@modules/comments/contracts';
import { ListVideosForSyncQuery, RecordVideoSyncCommand, UpsertVideosCommand, type VideoSyncInfo } from '@modules/videos/contracts';
import { IntegrationNotActiveError, TIKTOK_ACCESS, type TikTokAccess } from '../../contracts';
import { BackfillWriter } from './backfill-writer';
import { checkpointOf, nextInWalk, positionOf, type ListOrder, type WalkPosition } from './comment-walk';
import { SWEEP_INTERVAL_SECONDS, SWEEP_MAX_AGE_MS, nextPoll, pollAfterFullRead } from './poll-schedule';
import { NO_LIMITS, TIKTOK_LIMITS, planRun } from './sync-budget';
import { SyncState, type BackfillVideo, type ReconcileCheckpoint, type SweepCheckpoint } from './sync-state';
import { SyncLeaseLostError, SyncRepository, type ClaimedSync } from './sync.repository';

/** Lease length; renewed with every checkpoint and by a timer while a call is in flight. */
export const LEASE_TTL_MS = 90_000;
/** Longest run of one integration before it yields its slot (its state is checkpointed). */
export const MAX_RUN_MS = 60_000;
/** Longest wait for a rate-budget slot per call before the run stops and waits as a whole. */
const MAX_BUDGET_WAIT_MS = 10_000;
const COMMENT_PAGE = 30;
/**
 * Videos a backfill imports at once. The pages of one video follow each other (each needs the
 * previous cursor); several videos overlap TikTok's latency, our transactions and their commits.
 * Under TikTok's limits the lanes simply share the account's budget. Since the lanes' pages are
 * group-committed (`BackfillWriter`), more lanes no longer mean more transactions: they mean more
 * pages per transaction, so less work per comment (bench/sync-backfill: 8 lanes wrote about half
 * as many transactions as 4, 84 rows each instead of 44).
 */
export const BACKFILL_LANES = 8;
/** Pages a backfill lane reads ahead of their commits (see `backfillComments`). */
export const LANE_READ_AHEAD = 2;

/** One backfill page as read from TikTok, with its replies (`readBackfillPage`). */
interface BackfillRead {
  /** the page's comments and the replies read for them, stored together */
  items: TikTokComment[];
  /** comments on the page itself */
  listed: number;
  next: WalkPosition | null;
  newestAt: string | null;
  /** the video is gone at TikTok */
  gone: boolean;
}

/**
 * A video reconciled more recently than this is not reconciled again: when an account has few
 * videos the reconciliation share is simply left unspent (staying further inside the budget)
 * rather than re-reading the same videos every run.
 */
export const MIN_RECONCILE_GAP_MS = 10 * 60_000;
const VIDEO_PAGE = 20;

/** Work of one run: who, until when, with how many calls. */
interface Run {
  claim: ClaimedSync;
  state: SyncState;
  deadline: number;
  /** calls left in this run; `sweepFirst`: how many of `poll` sweeps may take before the quick polls */
  calls: { poll: number; sweepFirst: number; reconcile: number; videoPages: number };
  lost: boolean;
  /** the checkpoint save in progress (saves are chained) */
  saving: Promise<void>;
  /** the backfill lanes' group commit (comments phase only): ingests and checkpoints go through it */
  writer?: BackfillWriter;
}

type Outcome = 'done' | 'yield';

/**
 * The TikTok sync of one integration (DESIGN.md section 2), run by `TikTokSyncScheduler` under
 * the integration's lease. Lives in the integrations module because the sync state is the
 * integration aggregate's state; videos and comments are written only through their modules'
 * contracts (`UpsertVideosCommand`, `IngestCommentsCommand`, ...), never their tables.
 *
 * - backfill: every `video/list` page (20), then each video's `comment/list` pages (30, with
 *   inline replies) and `reply/list` where a comment has more replies than came inline; the
 *   checkpoint commits after every page (in the comments phase with the next group commit of the
 *   lanes' pages, `BackfillWriter`), so a killed process resumes at about the page it was on. A video
 *   with more top-level comments than TikTok pages exactly is read again oldest first
 *   (comment-walk.ts); its first poll is dated by its newest comment (`pollAfterFullRead`).
 * - live: new videos newest first until the first known one; sweeps of videos under a week old
 *   (every top-level page, `reply/list` where the `replies` count is above what is stored: the
 *   only way to see a new reply under a comment below the first page) and quick polls of the
 *   videos whose `next_poll_at` is due (newest first, stop at the first known comment, the same
 *   `replies` check), sharing the poll calls; a fixed share of calls for full reconciliation of
 *   the least recently reconciled videos, which also confirms deletions by id.
 * - failures: `rate-limited` waits (next run when the budget has room, no failure counted);
 *   `auth-expired` is refreshed inside `TikTokAccess`; `auth-revoked` pauses the sync (the
 *   integration is `reauth_required`); anything else is retried later with jittered backoff.
 */
@Injectable()
export class TikTokSyncSaga {
  private readonly log = new Logger('TikTokSync');
  /** Shutting down: runs stop at their next page boundary (checkpointed) and release their leases. */
  private stopping = false;

  constructor(
    private readonly repo: SyncRepository,
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(TIKTOK_ACCESS) private readonly access: TikTokAccess,
    @Inject(TIKTOK_API) private readonly api: TikTokApi,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get intervalMs(): number {
    return this.config.syncIntervalSeconds * 1000;
  }

  /** Runs one claimed integration to the end of this run and releases its lease. Never throws. */
  async run(claim: ClaimedSync, activeAccounts: number): Promise<void> {
    const state = SyncState.from(claim.columns);
    state.resume(new Date());
    const plan = planRun({
      intervalSeconds: this.config.syncIntervalSeconds,
      activeAccounts,
      limits: this.config.tiktok.rateBudget === 'off' ? NO_LIMITS : TIKTOK_LIMITS,
    });
    const run: Run = {
      claim,
      state,
      deadline: Date.now() + MAX_RUN_MS,
      calls: { poll: plan.pollCalls, sweepFirst: plan.sweepCalls, reconcile: plan.reconcileCalls, videoPages: plan.videoPages },
      lost: false,
      saving: Promise.resolve(),
    };
    const renew = setInterval(() => {
      this.repo.renew(claim, LEASE_TTL_MS).then(
        (ok) => {
          if (!ok) run.lost = true;
        },
        () => undefined,
      );
    }, LEASE_TTL_MS / 4);
    renew.unref();
    const startedAt = Date.now();
    const stage = state.stage;
    /** what the run's info line says; null when a warning already said it */
    let result: string | null = null;
    try {
      const outcome = state.stage === 'backfill' ? await this.backfill(run) : await this.live(run);
      const now = new Date();
      if (outcome === 'yield') {
        state.yielded(now);
        result = 'continues next run';
      } else if (state.stage === 'backfill') {
        state.backfillDone(now, this.intervalMs, await this.queries.execute(new CountSyncedCommentsQuery(claim.tenant, claim.integrationId)));
        result = 'backfill completed';
      }
      else {
        state.liveRunDone(now, this.intervalMs);
        result = 'completed';
      }
    } catch (err) {
      if (err instanceof SyncLeaseLostError || run.lost) {
        this.log.warn({ msg: 'sync lease lost; another instance carries on', tenant: claim.tenant, integrationId: claim.integrationId });
        clearInterval(renew);
        return;
      }
      result = this.onFailure(run, err);
    } finally {
      clearInterval(renew);
    }
    const events = state.pullEvents();
    if (result !== null) {
      const totals = events.find((e) => e.type === 'tiktok.sync.completed')?.data;
      this.log.log({ msg: 'sync run', tenant: claim.tenant, integrationId: claim.integrationId, stage, outcome: result, ms: Date.now() - startedAt, ...(totals ? { totals } : {}) });
    }
    try {
      await this.repo.save(claim, state.columns(), events, { release: true, ttlMs: LEASE_TTL_MS });
    } catch (err) {
      this.log.warn({ msg: 'sync state not saved', tenant: claim.tenant, integrationId: claim.integrationId, err: (err as Error).message });
    }
  }

  /** Records the failure on the state; returns what the run's info line says, or null when a warning said it. */
  private onFailure(run: Run, err: unknown): string | null {
    const { state, claim } = run;
    const now = new Date();
    const ctx = { tenant: claim.tenant, integrationId: claim.integrationId };
    if (err instanceof IntegrationNotActiveError || isTikTokError(err, 'auth-revoked', 'auth-expired')) {
      // TikTokAccess has marked the integration reauth_required (and recorded it): stop syncing.
      state.reauthRequired(err instanceof TikTokError ? `${err.kind}${err.code ? ` (${err.code})` : ''}` : err.message);
      this.log.warn({ msg: 'sync stopped: reauthorisation required', ...ctx });
      return null;
    }
    if (isTikTokError(err, 'rate-limited')) {
      // expected while a backfill pages as fast as the budget allows: not a warning
      state.rateLimited(now, err.retryAfterMs ?? 5_000);
      this.log.log({ msg: 'sync waits for the rate budget', ...ctx, retry_after_ms: err.retryAfterMs ?? null });
      return null;
    }
    const reason = isTikTokError(err, 'transient', 'transient-unknown') ? 'TIKTOK_UNAVAILABLE' : err instanceof TikTokError ? 'TIKTOK_REJECTED' : 'INTERNAL_ERROR';
    const detail = err instanceof TikTokError ? err.message : 'unexpected error';
    state.failed(now, reason, detail.slice(0, 300), this.intervalMs, Math.random());
    this.log.warn({ msg: 'sync failed; retried later', ...ctx, reason, failures: state.failures, err: (err as Error).message });
    return null;
  }

  // ---------------------------------------------------------------- backfill

  private async backfill(run: Run): Promise<Outcome> {
    const { state, claim } = run;
    for (;;) {
      if (this.timeUp(run)) return 'yield';
      const b = state.backfill;
      if (b.phase === 'videos') {
        const page = await this.call(run, (auth, o) => this.api.listVideos(auth, { cursor: b.videoCursor || undefined, maxCount: VIDEO_PAGE }, o));
        const res = page.items.length > 0 ? await this.commands.execute(new UpsertVideosCommand(claim.tenant, claim.integrationId, page.items)) : { insertedIds: [] };
        // Pages can be short while has_more is true; a cursor that does not move ends the walk.
        const more = page.hasMore && page.cursor !== b.videoCursor;
        state.videosPageDone({ nextCursor: page.cursor, hasMore: more, newVideos: res.insertedIds.length });
        this.pageLog(run, { phase: 'videos', items: page.items.length, new: res.insertedIds.length, cursor: page.cursor });
        await this.checkpoint(run);
        continue;
      }
      return this.backfillComments(run);
    }
  }

  /**
   * The comments phase: `BACKFILL_LANES` videos at a time, each lane paging one video to its end
   * and then taking up the next. Lanes share the run's state (JavaScript runs one at a time between
   * awaits, so each transition sees the others'); checkpoints are written one after the other.
   * A lane that fails stops the others at their next page; the first failure is the run's.
   */
  private async backfillComments(run: Run): Promise<Outcome> {
    const { state, claim } = run;
    const working = new Set<string>();
    let taking: Promise<unknown> = Promise.resolve();
    let failure: { err: unknown } | null = null;
    let yielded = false;

    /** The next lane to work: one left by an earlier run, else a newly taken video (one taker at a time). */
    const nextLane = (): Promise<BackfillVideo | null> => {
      const next = taking.then(async () => {
        const open = state.backfill.lanes.find((l) => !working.has(l.videoId));
        if (open) return open;
        const [v] = await this.queries.execute(
          new ListVideosForSyncQuery(claim.tenant, claim.integrationId, { kind: 'keyset', after: state.backfill.afterVideo, limit: 1 }),
        );
        return v ? state.videoTaken({ id: v.id, tiktokVideoId: v.tiktokVideoId, postedAt: v.postedAt.toISOString() }) : null;
      });
      taking = next.catch(() => undefined);
      return next;
    };

    const lane = async (): Promise<void> => {
      for (;;) {
        if (failure || this.timeUp(run)) {
          yielded = yielded || !failure;
          return;
        }
        const l = await nextLane();
        if (!l) return;
        working.add(l.videoId);
        // Pages are read ahead of their commits: page N+1 is read while page N waits in the group
        // commit (its cursor comes from TikTok, not from what we stored). What page N changes in
        // the state (its position, the counts, the checkpoint) happens only once N has committed,
        // and in page order (`settled` chains them), so a checkpoint still names only committed
        // pages. At most `LANE_READ_AHEAD` pages of a lane wait for their commits.
        const inFlight: Promise<void>[] = [];
        let settled: Promise<void> = Promise.resolve();
        let stopped = false;
        try {
          let at: WalkPosition | null = positionOf(l);
          let readOrder = at.order;
          let newestAt = l.newestAt ?? null;
          const video = { id: l.videoId, tiktokVideoId: l.tiktokVideoId, postedAt: l.postedAt };
          while (at) {
            if (failure || this.timeUp(run)) {
              yielded = yielded || !failure;
              stopped = true;
              break;
            }
            // the oldest-first pass asks what the newest-first pass stored: let that land first
            if (at.order !== readOrder) await Promise.all(inFlight.splice(0));
            else if (inFlight.length >= LANE_READ_AHEAD) await inFlight.shift();
            readOrder = at.order;
            const read = await this.readBackfillPage(run, video, at, newestAt);
            const committed = read.items.length > 0 ? run.writer!.ingest(video.id, read.items) : Promise.resolve({ insertedIds: [] });
            committed.catch(() => undefined); // handled in page order below
            const from = at;
            settled = settled.then(async () => {
              const { insertedIds } = await committed;
              await this.backfillPageDone(run, video, from, read, insertedIds.length);
            });
            // a failure surfaces where the lane awaits it; this copy only keeps it from going unhandled
            settled.catch(() => undefined);
            inFlight.push(settled);
            at = read.next;
            newestAt = read.newestAt;
          }
          await settled; // throws what failed
        } finally {
          // what the lane handed in lands before another lane may take its video up again
          await settled.catch(() => undefined);
          working.delete(l.videoId);
        }
        if (stopped) return;
      }
    };

    const writer = new BackfillWriter(this.commands, this.repo, run, LEASE_TTL_MS);
    run.writer = writer;
    try {
      await Promise.all(
        Array.from({ length: BACKFILL_LANES }, () =>
          lane().catch((err: unknown) => {
            failure ??= { err };
          }),
        ),
      );
    } finally {
      run.writer = undefined;
    }
    // every lane has seen its ingests commit; what may still wait is the last checkpoint
    await writer.flush().catch((err: unknown) => {
      failure ??= { err };
    });
    if (failure) throw (failure as { err: unknown }).err;
    return yielded ? 'yield' : 'done';
  }

  /**
   * Reads one comment page of a backfill lane and every reply it needs (`reply/list` where a thread
   * has more than came inline): TikTok calls only, nothing stored. The page and its replies are
   * then stored together, in one ingest (replies find their parents in the same batch).
   */
  private async readBackfillPage(
    run: Run,
    video: { id: string; tiktokVideoId: string; postedAt: string },
    at: WalkPosition,
    newestSoFar: string | null,
  ): Promise<BackfillRead> {
    const page = await this.commentPage(run, video, at.cursor, at.order);
    if (page === null) return { items: [], listed: 0, next: null, newestAt: newestSoFar, gone: true };
    // The oldest-first pass only expands the threads the newest-first pass did not list in full.
    const expand = at.order === 'desc' ? page.items : await this.repliesBehind(run, page.items);
    const replies = await this.readReplies(run, video, expand);
    return {
      items: [...page.items, ...replies.items],
      listed: page.items.length,
      next: nextInWalk(at, page),
      newestAt: latest(newestSoFar, page.items, replies.newest),
      gone: false,
    };
  }

  /** After a backfill page's ingest committed: the video's sync record when it was the last page, the state, the checkpoint. */
  private async backfillPageDone(
    run: Run,
    video: { id: string; tiktokVideoId: string; postedAt: string },
    at: WalkPosition,
    read: BackfillRead,
    stored: number,
  ): Promise<void> {
    const { state, claim } = run;
    if (read.gone) {
      state.commentsPageDone({ video, nextCursor: null, newComments: 0 });
      await this.checkpoint(run);
      return;
    }
    const { next, newestAt } = read;
    if (!next) {
      const now = new Date();
      const np = pollAfterFullRead({ now, postedAt: new Date(video.postedAt), newestCommentAt: newestAt ? new Date(newestAt) : null });
      await this.commands.execute(
        new RecordVideoSyncCommand(claim.tenant, video.id, {
          polledAt: now,
          reconciledAt: now,
          sweptAt: now,
          nextPollAt: np.nextPollAt,
          pollIntervalSeconds: np.intervalSeconds,
          lastCommentAt: newestAt ? new Date(newestAt) : undefined,
        }),
      );
    }
    state.commentsPageDone({ video, nextCursor: next?.cursor ?? null, order: next?.order, until: next?.until, newestAt, newComments: stored });
    this.pageLog(run, { phase: 'comments', videoId: video.id, order: at.order, cursor: at.cursor, items: read.listed, new: stored });
    await this.checkpoint(run);
  }

  // ---------------------------------------------------------------- live

  private async live(run: Run): Promise<Outcome> {
    await this.newVideos(run);
    const outcomes = [
      await this.sweepSome(run, run.calls.sweepFirst),
      await this.pollDue(run),
      await this.sweepSome(run, run.calls.poll), // what the polls left
      await this.reconcileSome(run),
    ];
    return outcomes.includes('yield') ? 'yield' : 'done';
  }

  /** Newest first, stopping at the first page that holds a known video. */
  private async newVideos(run: Run): Promise<void> {
    const { claim, state } = run;
    let cursor: number | undefined;
    while (run.calls.videoPages > 0 && !this.timeUp(run)) {
      run.calls.videoPages -= 1;
      const page = await this.call(run, (auth, o) => this.api.listVideos(auth, { cursor, maxCount: VIDEO_PAGE }, o));
      if (page.items.length === 0) break;
      const res = await this.commands.execute(new UpsertVideosCommand(claim.tenant, claim.integrationId, page.items));
      state.videosFound(res.insertedIds.length);
      const distinct = new Set(page.items.map((v) => v.itemId)).size;
      if (res.insertedIds.length > 0) this.pageLog(run, { phase: 'new-videos', items: page.items.length, new: res.insertedIds.length });
      if (res.insertedIds.length < distinct || !page.hasMore || page.cursor === cursor) break;
      cursor = page.cursor;
    }
    await this.checkpoint(run);
  }

  /** Quick polls of the due videos within the poll share of calls. */
  private async pollDue(run: Run): Promise<Outcome> {
    const { claim } = run;
    if (run.calls.poll <= 0) return 'done';
    const due = await this.queries.execute(new ListVideosForSyncQuery(claim.tenant, claim.integrationId, { kind: 'due', limit: run.calls.poll }));
    for (const v of due) {
      if (this.timeUp(run)) return 'yield';
      if (run.calls.poll <= 0) return 'done'; // the rest stay due for the next run
      await this.quickPoll(run, v);
      await this.checkpoint(run);
    }
    return 'done';
  }

  /** Newest first until a page holds a known comment; `reply/list` where TikTok counts more replies than are stored. */
  private async quickPoll(run: Run, v: VideoSyncInfo): Promise<number> {
    const { claim, state } = run;
    const video = { id: v.id, tiktokVideoId: v.tiktokVideoId };
    let cursor = 0;
    let found = 0;
    let complete = true;
    for (;;) {
      if (run.calls.poll <= 0 || this.timeUp(run)) {
        complete = false;
        break;
      }
      run.calls.poll -= 1;
      const page = await this.commentPage(run, video, cursor);
      if (page === null) return found;
      const ids = page.items.map((c) => c.commentId);
      const before = await this.queries.execute(new GetCommentSyncStateQuery(claim.tenant, claim.integrationId, ids));
      found += await this.ingest(run, v.id, page.items);
      found += await this.changedReplies(run, video, page.items);
      if (before.known.length > 0 || !page.hasMore || page.cursor === cursor) break;
      cursor = page.cursor;
    }
    state.commentsStored(found);
    const now = new Date();
    const np = nextPoll({ now, postedAt: v.postedAt, previousIntervalSeconds: v.pollIntervalSeconds, newComments: found });
    await this.commands.execute(
      new RecordVideoSyncCommand(claim.tenant, v.id, {
        polledAt: now,
        // cut short by the budget: poll it again first thing next run
        nextPollAt: complete ? np.nextPollAt : now,
        pollIntervalSeconds: np.intervalSeconds,
        lastCommentAt: found > 0 ? now : undefined,
      }),
    );
    if (found > 0) this.pageLog(run, { phase: 'poll', videoId: v.id, new: found });
    return found;
  }

  /**
   * Sweeps of videos under a week old, least recently swept first, with at most `calls` of the
   * poll share; one in progress is carried on first (it may span runs).
   */
  private sweepSome(run: Run, calls: number): Promise<Outcome> {
    const { claim, state } = run;
    const floor = Math.max(0, run.calls.poll - calls);
    return this.walkVideos(run, {
      callsLeft: () => run.calls.poll > floor,
      inProgress: () => state.sweep,
      next: async () => {
        const now = Date.now();
        const [v] = await this.queries.execute(
          new ListVideosForSyncQuery(claim.tenant, claim.integrationId, {
            kind: 'sweep',
            postedAfter: new Date(now - SWEEP_MAX_AGE_MS),
            sweptBefore: new Date(now - SWEEP_INTERVAL_SECONDS * 1000),
            limit: 1,
          }),
        );
        return v ? { videoId: v.id, tiktokVideoId: v.tiktokVideoId, cursor: 0 } : null;
      },
      page: (cp) => this.sweepPage(run, cp),
    });
  }

  /**
   * Full reads of one video after another (sweeps, reconciliation), a page at a time with a
   * checkpoint after each, while the share has calls: the one in progress first, else `next`.
   */
  private async walkVideos<C>(
    run: Run,
    walk: { callsLeft: () => boolean; inProgress: () => C | null; next: () => Promise<C | null>; page: (cp: C) => Promise<void> },
  ): Promise<Outcome> {
    while (walk.callsLeft()) {
      if (this.timeUp(run)) return 'yield';
      const cp = walk.inProgress() ?? (await walk.next());
      if (!cp) return 'done';
      await walk.page(cp);
      await this.checkpoint(run);
    }
    return 'done';
  }

  /** One top-level page of a sweep: new comments stored, threads whose `replies` count grew read. */
  private async sweepPage(run: Run, cp: SweepCheckpoint): Promise<void> {
    const { claim, state } = run;
    const video = { id: cp.videoId, tiktokVideoId: cp.tiktokVideoId };
    run.calls.poll -= 1;
    const at = positionOf(cp);
    const page = await this.commentPage(run, video, at.cursor, at.order);
    if (page === null) {
      state.sweepPageDone(null);
      return;
    }
    const found = (await this.ingest(run, video.id, page.items)) + (await this.changedReplies(run, video, page.items));
    state.commentsStored(found);
    const next = nextInWalk(at, page);
    if (next) state.sweepPageDone({ videoId: cp.videoId, tiktokVideoId: cp.tiktokVideoId, ...checkpointOf(next) });
    else {
      await this.commands.execute(new RecordVideoSyncCommand(claim.tenant, video.id, { sweptAt: new Date() }));
      state.sweepPageDone(null);
    }
    if (found > 0 || !next) this.pageLog(run, { phase: next ? 'sweep' : 'swept', videoId: video.id, order: at.order, cursor: at.cursor, new: found });
  }

  /** Full reconciliation of the least recently reconciled videos, resumable across runs. */
  private reconcileSome(run: Run): Promise<Outcome> {
    const { claim, state } = run;
    return this.walkVideos(run, {
      callsLeft: () => run.calls.reconcile > 0,
      inProgress: () => state.reconcile,
      next: async () => {
        const [v] = await this.queries.execute(new ListVideosForSyncQuery(claim.tenant, claim.integrationId, { kind: 'reconcile', limit: 1 }));
        if (!v || (v.lastReconciledAt && Date.now() - v.lastReconciledAt.getTime() < MIN_RECONCILE_GAP_MS)) return null;
        return { videoId: v.id, tiktokVideoId: v.tiktokVideoId, cursor: 0, seen: [] };
      },
      page: (cp) => this.reconcilePage(run, cp),
    });
  }

  private async reconcilePage(run: Run, cp: ReconcileCheckpoint): Promise<void> {
    const { claim, state } = run;
    const video = { id: cp.videoId, tiktokVideoId: cp.tiktokVideoId };
    run.calls.reconcile -= 1;
    const at = positionOf(cp);
    const page = await this.commentPage(run, video, at.cursor, at.order);
    if (page === null) {
      state.reconcilePageDone(null);
      return;
    }
    // as in a backfill: the page and the replies it needs are read, then stored in one ingest
    const expand = at.order === 'desc' ? page.items : await this.repliesBehind(run, page.items);
    const replies = await this.readReplies(run, video, expand, () => {
      run.calls.reconcile -= 1;
    });
    const found = await this.ingest(run, video.id, [...page.items, ...replies.items]);
    state.commentsStored(found);
    const listed = page.items.flatMap((c) => [c.commentId, ...(c.replyList ?? []).map((r) => r.commentId)]);
    const seen = cp.seen === null ? null : [...new Set([...cp.seen, ...listed, ...replies.items.map((r) => r.commentId)])];
    const next = nextInWalk(at, page);
    if (next) {
      state.reconcilePageDone({ videoId: cp.videoId, tiktokVideoId: cp.tiktokVideoId, ...checkpointOf(next), seen });
      return;
    }
    let deleted = 0;
    if (seen !== null) deleted = await this.confirmMissing(run, video, new Set(seen));
    state.commentsStored(0, deleted);
    const now = new Date();
    await this.commands.execute(new RecordVideoSyncCommand(claim.tenant, video.id, { reconciledAt: now, sweptAt: now }));
    state.reconcilePageDone(null);
    this.pageLog(run, { phase: 'reconciled', videoId: video.id, new: found, deleted });
  }

  /** Stored comments a full read did not list: looked up by id; those TikTok no longer has are marked deleted. */
  private async confirmMissing(run: Run, video: { id: string; tiktokVideoId: string }, seen: Set<string>): Promise<number> {
    const { claim } = run;
    const stored = await this.queries.execute(new ListStoredCommentIdsQuery(claim.tenant, claim.integrationId, video.id));
    const missing = stored.filter((id) => !seen.has(id));
    let deleted = 0;
    for (let i = 0; i < missing.length; i += COMMENT_PAGE) {
      const batch = missing.slice(i, i + COMMENT_PAGE);
      run.calls.reconcile -= 1;
      let present: TikTokComment[];
      try {
        present = await this.call(run, (auth, o) => this.api.getCommentsByIds(auth, video.tiktokVideoId, batch, o));
      } catch (err) {
        if (!isTikTokError(err, 'not-found')) throw err;
        present = [];
      }
      if (present.length > 0) await this.ingest(run, video.id, present);
      const there = new Set(present.map((c) => c.commentId));
      const gone = batch.filter((id) => !there.has(id));
      if (gone.length > 0) {
        const res = await this.commands.execute(new MarkCommentsDeletedCommand(claim.tenant, claim.integrationId, gone));
        deleted += res.deleted;
      }
    }
    return deleted;
  }

  // ---------------------------------------------------------------- replies

  /** Every reply of the listed comments that has more replies than came inline, read (not stored); `onCall` before each call. */
  private async readReplies(
    run: Run,
    video: { id: string; tiktokVideoId: string },
    comments: TikTokComment[],
    onCall: () => void = () => undefined,
  ): Promise<{ items: TikTokComment[]; newest: Date | null }> {
    const items: TikTokComment[] = [];
    let newest: Date | null = null;
    for (const c of comments) {
      if (c.parentCommentId !== null || c.replies <= (c.replyList?.length ?? 0)) continue;
      let cursor = 0;
      for (;;) {
        onCall();
        const page = await this.replyPage(run, video, c.commentId, cursor);
        if (page === null) break;
        items.push(...page.items);
        for (const r of page.items) if (!newest || r.createTime > newest) newest = r.createTime;
        if (!page.hasMore || page.cursor === cursor) break;
        cursor = page.cursor;
      }
    }
    return { items, newest };
  }

  /** Of the listed top-level comments, those with more replies at TikTok than are stored (their threads need reading). */
  private async repliesBehind(run: Run, comments: TikTokComment[]): Promise<TikTokComment[]> {
    const top = comments.filter((c) => c.parentCommentId === null && c.replies > (c.replyList?.length ?? 0));
    if (top.length === 0) return [];
    const { claim } = run;
    const known = await this.queries.execute(new GetCommentSyncStateQuery(claim.tenant, claim.integrationId, top.map((c) => c.commentId)));
    return top.filter((c) => (known.storedReplies[c.commentId] ?? 0) < c.replies);
  }

  /** Quick poll and sweep: `reply/list` newest first where TikTok's `replies` is above what is stored, until a known reply. */
  private async changedReplies(run: Run, video: { id: string; tiktokVideoId: string }, comments: TikTokComment[]): Promise<number> {
    const { claim } = run;
    const top = comments.filter((c) => c.parentCommentId === null && c.replies > 0);
    if (top.length === 0) return 0;
    const after = await this.queries.execute(new GetCommentSyncStateQuery(claim.tenant, claim.integrationId, top.map((c) => c.commentId)));
    let stored = 0;
    for (const c of top) {
      if ((after.storedReplies[c.commentId] ?? 0) >= c.replies) continue;
      let cursor = 0;
      for (;;) {
        run.calls.poll -= 1;
        const page = await this.replyPage(run, video, c.commentId, cursor);
        if (page === null) break;
        const known = await this.queries.execute(new GetCommentSyncStateQuery(claim.tenant, claim.integrationId, page.items.map((r) => r.commentId)));
        stored += await this.ingest(run, video.id, page.items);
        if (known.known.length > 0 || !page.hasMore || page.cursor === cursor) break;
        cursor = page.cursor;
      }
    }
    return stored;
  }

  // ---------------------------------------------------------------- TikTok calls and helpers

  /** One `comment/list` page (by creation time, hidden ones too, inline replies); null when TikTok says the video is gone. */
  private async commentPage(
    run: Run,
    video: { id: string; tiktokVideoId: string },
    cursor: number,
    order: ListOrder = 'desc',
  ): Promise<TikTokPage<TikTokComment> | null> {
    try {
      return await this.call(run, (auth, o) =>
        this.api.listComments(auth, { videoId: video.tiktokVideoId, cursor: cursor || undefined, maxCount: COMMENT_PAGE, includeReplies: true, status: 'ALL', sortField: 'create_time', sortOrder: order }, o),
      );
    } catch (err) {
      if (!isTikTokError(err, 'not-found')) throw err;
      await this.commands.execute(new RecordVideoSyncCommand(run.claim.tenant, video.id, { gone: true }));
      this.log.log({ msg: 'video gone at TikTok', tenant: run.claim.tenant, integrationId: run.claim.integrationId, videoId: video.id });
      return null;
    }
  }

  private async replyPage(run: Run, video: { tiktokVideoId: string }, commentId: string, cursor: number): Promise<TikTokPage<TikTokComment> | null> {
    try {
      return await this.call(run, (auth, o) => this.api.listReplies(auth, { videoId: video.tiktokVideoId, commentId, cursor: cursor || undefined, maxCount: COMMENT_PAGE }, o));
    } catch (err) {
      if (isTikTokError(err, 'not-found')) return null; // the comment is gone; reconciliation marks it
      throw err;
    }
  }

  private async ingest(run: Run, videoId: string, comments: TikTokComment[]): Promise<number> {
    if (comments.length === 0) return 0;
    if (run.writer) return (await run.writer.ingest(videoId, comments)).insertedIds.length;
    const res = await this.commands.execute(new IngestCommentsCommand(run.claim.tenant, run.claim.integrationId, videoId, comments));
    return res.insertedIds.length;
  }

  private call<T>(run: Run, fn: (auth: TikTokAuth, opts: { maxWaitMs: number; priority: 'background' }) => Promise<T>): Promise<T> {
    if (run.lost) throw new SyncLeaseLostError();
    const maxWaitMs = Math.max(1_000, Math.min(MAX_BUDGET_WAIT_MS, run.deadline - Date.now()));
    return this.access.withAccess(run.claim.tenant, run.claim.integrationId, (auth) => fn(auth, { maxWaitMs, priority: 'background' }));
  }

  /**
   * Saves the state as it is when the save starts. Saves of one run go one after the other (lanes
   * checkpoint concurrently): an older state never lands after a newer one. In the backfill's
   * comments phase the lanes' writer carries it instead (see `BackfillWriter`).
   */
  private checkpoint(run: Run): Promise<void> {
    if (run.writer) {
      // backfill lanes: carried by the next group commit (BackfillWriter)
      try {
        run.writer.checkpoint();
        return Promise.resolve();
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    }
    const save = run.saving.then(async () => {
      if (run.lost) throw new SyncLeaseLostError();
      await this.repo.save(run.claim, run.state.columns(), run.state.pullEvents(), { release: false, ttlMs: LEASE_TTL_MS });
    });
    run.saving = save.catch(() => undefined);
    return save;
  }

  private timeUp(run: Run): boolean {
    return this.stopping || Date.now() >= run.deadline;
  }

  /** Makes every run in flight end at its next page boundary. */
  stop(): void {
    this.stopping = true;
  }

  /** A page's progress: `debug` (a backfill pages hundreds of times; the run's line is at `info`). */
  private pageLog(run: Run, fields: Record<string, unknown>): void {
    const c = run.state.columns();
    this.log.debug({
      msg: 'sync page',
      tenant: run.claim.tenant,
      integrationId: run.claim.integrationId,
      stage: c.sync_stage,
      ...fields,
      videosKnown: c.videos_known,
      videosBackfilled: c.videos_backfilled,
      commentsStored: c.comments_stored,
    });
  }
}

/** The later of `current` (ISO) and every comment, inline reply and `extra` time: the newest activity seen on a video. */
function latest(current: string | null, comments: TikTokComment[], extra: Date | null): string | null {
  let t = current ? Date.parse(current) : -Infinity;
  for (const c of comments) {
    t = Math.max(t, c.createTime.getTime());
    for (const r of c.replyList ?? []) t = Math.max(t, r.createTime.getTime());
  }
  if (extra) t = Math.max(t, extra.getTime());
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}
