import { MAX_BACKOFF_MS, SyncState, type SyncColumns } from './sync-state';

const now = new Date('2026-11-25T10:00:00.000Z');
const MIN = 60_000;

function fresh(over: Partial<SyncColumns> = {}): SyncState {
  return SyncState.from({
    sync_stage: 'backfill',
    sync_state: {},
    sync_failures: 0,
    next_sync_at: now,
    last_synced_at: null,
    last_sync_error: null,
    videos_known: 0,
    videos_backfilled: 0,
    comments_stored: 0,
    ...over,
  });
}

describe('SyncState', () => {
  it('reads a checkpoint saved before lanes: its current video becomes the one lane and the keyset moves past it', () => {
    const legacy = { phase: 'comments', videoCursor: 0, afterVideo: { postedAt: 'a', id: 'v0' }, current: { videoId: 'v1', tiktokVideoId: '7', postedAt: 'b', cursor: 90 } };
    const s = fresh({ sync_state: { backfill: legacy as never } });
    expect(s.backfill).toEqual({ phase: 'comments', videoCursor: 0, afterVideo: { postedAt: 'b', id: 'v1' }, lanes: [legacy.current] });
  });

  it('imports several videos at once: each lane moves on its own and leaves when done', () => {
    const s = fresh({ sync_state: { backfill: { phase: 'comments', videoCursor: 0, afterVideo: null, lanes: [] } } });
    const a = { id: 'a', tiktokVideoId: '1', postedAt: '2026-11-02T00:00:00.000Z' };
    const b = { id: 'b', tiktokVideoId: '2', postedAt: '2026-11-01T00:00:00.000Z' };
    s.videoTaken(a);
    s.videoTaken(b);
    s.commentsPageDone({ video: b, nextCursor: 30, newComments: 30 });
    s.commentsPageDone({ video: a, nextCursor: null, newComments: 5 });
    expect(s.backfill.lanes).toEqual([{ videoId: 'b', tiktokVideoId: '2', postedAt: b.postedAt, cursor: 30 }]);
    expect(s.backfill.afterVideo).toEqual({ postedAt: b.postedAt, id: 'b' });
    expect(s.columns()).toMatchObject({ videos_backfilled: 1, comments_stored: 35 });
     s.commentsPageDone({ video: b, nextCursor: 0, order: 'asc', until: 1_200, newComments: 0 });
    expect(s.backfill.lanes).toEqual([{ videoId: 'b', tiktokVideoId: '2', postedAt: b.postedAt, cursor: 0, order: 'asc', until: 1_200 }]);
  });

  it('walks a backfill: video pages, then each video’s comment pages, then live with one completed event', () => {
    const s = fresh();
    expect(s.backfill).toEqual({ phase: 'videos', videoCursor: 0, afterVideo: null, lanes: [] });
    s.videosPageDone({ nextCursor: 1700, hasMore: true, newVideos: 20 });
    expect(s.backfill.phase).toBe('videos');
    expect(s.backfill.videoCursor).toBe(1700);
    s.videosPageDone({ nextCursor: 1600, hasMore: false, newVideos: 5 });
    expect(s.backfill.phase).toBe('comments');
    const video = { id: 'v1', tiktokVideoId: '7', postedAt: '2026-11-20T00:00:00.000Z' };
    s.videoTaken(video);
    expect(s.backfill.afterVideo).toEqual({ id: 'v1', postedAt: video.postedAt });
    expect(s.backfill.lanes).toEqual([{ videoId: 'v1', tiktokVideoId: '7', postedAt: video.postedAt, cursor: 0 }]);
    s.commentsPageDone({ video, nextCursor: 30, newComments: 30 });
    expect(s.backfill.lanes).toEqual([{ videoId: 'v1', tiktokVideoId: '7', postedAt: video.postedAt, cursor: 30 }]);
    s.commentsPageDone({ video, nextCursor: null, newComments: 12 });
    expect(s.backfill.lanes).toEqual([]);
    expect(s.backfill.afterVideo).toEqual({ id: 'v1', postedAt: video.postedAt });
    expect(s.pullEvents()).toEqual([]);
    s.backfillDone(now, MIN);
    const c = s.columns();
    expect(c).toMatchObject({ sync_stage: 'live', sync_state: {}, videos_known: 25, videos_backfilled: 1, comments_stored: 42, last_synced_at: now, last_sync_error: null });
    expect(c.next_sync_at).toEqual(new Date(now.getTime() + MIN));
    const events = s.pullEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'tiktok.sync.completed', data: { stage: 'backfill', newVideos: 25, newComments: 42 } });
  });

  it('keeps the checkpoint through a transient failure and backs off with jitter, capped', () => {
    const s = fresh({ sync_state: { backfill: { phase: 'comments', videoCursor: 0, afterVideo: null, lanes: [{ videoId: 'v', tiktokVideoId: '7', postedAt: 'x', cursor: 60 }] } } });
    s.failed(now, 'TIKTOK_UNAVAILABLE', 'HTTP 500', MIN, 0);
    const first = s.columns();
    expect(first.sync_failures).toBe(1);
    expect(first.last_sync_error).toBe('TIKTOK_UNAVAILABLE');
    expect(first.sync_state.backfill?.lanes[0]?.cursor).toBe(60);
    const d1 = first.next_sync_at!.getTime() - now.getTime();
    expect(d1).toBeGreaterThanOrEqual(MIN);
    expect(d1).toBeLessThanOrEqual(2 * MIN);
    expect(s.pullEvents()[0]).toMatchObject({ type: 'tiktok.sync.failed', data: { reason: 'TIKTOK_UNAVAILABLE', failures: 1 } });
    for (let i = 0; i < 20; i++) s.failed(now, 'TIKTOK_UNAVAILABLE', 'x', MIN, 0.999);
    expect(s.columns().next_sync_at!.getTime() - now.getTime()).toBeLessThanOrEqual(MAX_BACKOFF_MS);
    // two integrations failing together do not retry together
    const a = fresh();
    const b = fresh();
    a.failed(now, 'TIKTOK_UNAVAILABLE', 'x', MIN, 0.1);
    b.failed(now, 'TIKTOK_UNAVAILABLE', 'x', MIN, 0.9);
    expect(a.columns().next_sync_at).not.toEqual(b.columns().next_sync_at);
  });

  it('waits for the rate budget without counting a failure or recording an event', () => {
    const s = fresh({ sync_stage: 'live', sync_failures: 2, last_sync_error: 'TIKTOK_UNAVAILABLE' });
    s.rateLimited(now, 12_000);
    const c = s.columns();
    expect(c.sync_failures).toBe(2);
    expect(c.next_sync_at).toEqual(new Date(now.getTime() + 12_000));
    expect(s.pullEvents()).toEqual([]);
  });

  it('pauses on revoked auth and stops scheduling', () => {
    const s = fresh({ sync_stage: 'live' });
    s.reauthRequired('AUTH_REVOKED');
    expect(s.columns()).toMatchObject({ sync_stage: 'paused', next_sync_at: null, last_sync_error: 'AUTH_REVOKED' });
    expect(s.pullEvents()[0]).toMatchObject({ type: 'tiktok.sync.failed', data: { reason: 'AUTH_REVOKED', stage: 'live' } });
  });

  it('records completed for a live run only when it stored something or recovered', () => {
    const quiet = fresh({ sync_stage: 'live' });
    quiet.liveRunDone(now, MIN);
    expect(quiet.pullEvents()).toEqual([]);
    const busy = fresh({ sync_stage: 'live' });
    busy.commentsStored(3);
    busy.liveRunDone(now, MIN);
    expect(busy.pullEvents()[0]).toMatchObject({ type: 'tiktok.sync.completed', data: { stage: 'live', newComments: 3 } });
    expect(busy.columns().comments_stored).toBe(3);
    const recovered = fresh({ sync_stage: 'live', sync_failures: 3, last_sync_error: 'TIKTOK_UNAVAILABLE' });
    recovered.liveRunDone(now, MIN);
    expect(recovered.pullEvents()[0]).toMatchObject({ data: { recovered: true } });
    expect(recovered.columns()).toMatchObject({ sync_failures: 0, last_sync_error: null });
  });

  it('keeps a sweep and a reconciliation in progress across the end of a live run, and drops the run totals', () => {
    const s = fresh({ sync_stage: 'live' });
    s.sweepPageDone({ videoId: 'v', tiktokVideoId: '7', cursor: 60 });
    s.reconcilePageDone({ videoId: 'w', tiktokVideoId: '8', cursor: 30, seen: ['1'] });
    s.commentsStored(2);
    s.liveRunDone(now, MIN);
    expect(s.columns().sync_state).toEqual({
      sweep: { videoId: 'v', tiktokVideoId: '7', cursor: 60 },
      reconcile: { videoId: 'w', tiktokVideoId: '8', cursor: 30, seen: ['1'] },
    });
    s.sweepPageDone(null);
    expect(s.sweep).toBeNull();
  });

  it('refuses transitions of the wrong stage', () => {
    expect(() => fresh().sweepPageDone(null)).toThrow(/stage live/);
    expect(() => fresh({ sync_stage: 'live' }).videosPageDone({ nextCursor: 0, hasMore: false, newVideos: 0 })).toThrow(/stage backfill/);
    expect(() => fresh().liveRunDone(now, MIN)).toThrow(/stage live/);
  });
});
