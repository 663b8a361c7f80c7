import request from 'supertest';
import { Sealer } from '@shared/event-log/sealer';
import { startAppWithSimulator } from '../support/tiktok';
import { connectAccount } from '../factories/connect';
import { deliverEvents, eventsFor, makeDue, makeReconcileDue, seedComments, seedVideos, storedComments, syncOnce, syncRow, syncUntilIdle } from '../factories/sync';

describe('sync: backfill after connect', () => {
  let env: Awaited<ReturnType<typeof startAppWithSimulator>>;
  beforeAll(async () => {
    env = await startAppWithSimulator({ app: { env: { WORKERS: 'false', SYNC_INTERVAL_SECONDS: '60', LOG_LEVEL: 'debug' } } });
  });
  afterAll(() => env?.close());

  it('imports every video, comment and reply exactly, with progress and one completed event', async () => {
    const { sim, t } = env;
    const acct = sim.control.addAccount({ username: 'bigshop' });
    const videos = seedVideos(sim, acct.openId, 26);
    // the busiest video: 105 top-level comments, 6 of them with 7 replies (more than the 3 inline)
    const big = seedComments(sim, acct.openId, videos[3].itemId, 105, { withReplies: 6, repliesEach: 7 });
    const small = seedComments(sim, acct.openId, videos[20].itemId, 4, { withReplies: 1, repliesEach: 2 });
    // a hidden comment is imported too (status ALL), flagged hidden
    const hidden = sim.control.addComment(acct.openId, videos[0].itemId, { text: 'hidden one', hidden: true });
    // the events' data is built by the ingest statement from the rows' text: every escape must survive
    const tricky = sim.control.addComment(acct.openId, videos[1].itemId, { text: 'line\nbreak "quoted" \\ back\ttab ünïcödé 😀👍🏽 <b>&amp;</b> \u2028' });
    const trickyReply = sim.control.addComment(acct.openId, videos[1].itemId, { text: "it's 'single' and \u0001 ctrl", parentCommentId: tricky.commentId });
    const token = t.token({ tenant: 'acme' });
    const { connectedId } = await connectAccount(t, sim, acct.openId, token);
    const id = connectedId!;

    await syncUntilIdle(t);

    const expected = new Map([...big, ...small, hidden, tricky, trickyReply].map((c) => [c.commentId, c]));
    const stored = await storedComments(t, id);
    expect(stored).toHaveLength(expected.size);
    for (const s of stored) {
      const c = expected.get(s.tiktok_comment_id)!;
      expect(c).toBeDefined();
      expect(s.parent_tiktok).toBe(c.parentCommentId ?? null);
      expect(s.hidden).toBe(c.status === 'HIDDEN');
    }
    const received = await eventsFor(t, id, 'tiktok.comment.received');
    expect(received).toHaveLength(expected.size);
    expect(new Set(received.map((e) => e.data.tiktokCommentId)).size).toBe(expected.size);

    const videosRes = await request(t.url).get(`/api/v1/integrations/tiktok/${id}/videos?limit=200`).set('authorization', `Bearer ${token}`).expect(200);
    expect(videosRes.body.items).toHaveLength(26);

    // every event's digest recomputes from what was stored, the chain verifies
    await t.app.get(Sealer).drain();
    const verify = await request(t.url).get('/api/v1/events/verify').set('authorization', `Bearer ${t.token({ tenant: 'acme', roles: ['auditor'] })}`).expect(200);
    expect(verify.body).toMatchObject({ ok: true, firstBadSeq: null });
    expect(verify.body.checked).toBeGreaterThan(expected.size);
    const trickyEvent = received.find((e) => e.data.tiktokCommentId === trickyReply.commentId)!;
    expect(trickyEvent.data).toMatchObject({ text: trickyReply.text, parentId: received.find((e) => e.data.tiktokCommentId === tricky.commentId)!.data.commentId });

    await deliverEvents(t);
    const row = await syncRow(t, id);
    expect(row).toMatchObject({ sync_stage: 'live', videos_known: 26, videos_backfilled: 26, comments_stored: expected.size, last_sync_error: null, sync_failures: 0, lease_owner: null });
    expect(row.last_synced_at).not.toBeNull();
    const completed = await eventsFor(t, id, 'tiktok.sync.completed');
    expect(completed).toHaveLength(1);
    expect(completed[0].data).toMatchObject({ stage: 'backfill', commentsStored: expected.size, videosKnown: 26 });

    const integ = await request(t.url).get(`/api/v1/integrations/tiktok/${id}`).set('authorization', `Bearer ${token}`).expect(200);
    expect(integ.body.sync).toMatchObject({ stage: 'live', videosKnown: 26, videosBackfilled: 26, commentsStored: expected.size });
    expect(integ.body.lastSyncedAt).not.toBeNull();

    // one log line per page
    const pageLines = t.logs.filter((l) => l.includes('"sync page"'));
    expect(pageLines.length).toBeGreaterThanOrEqual(2 + 26);

    // a second sync changes nothing: no new rows, no new events
    await request(t.url).post(`/api/v1/integrations/tiktok/${id}/sync`).set('authorization', `Bearer ${token}`).expect(202);
    await syncUntilIdle(t);
    expect(await storedComments(t, id)).toHaveLength(expected.size);
    expect(await eventsFor(t, id, 'tiktok.comment.received')).toHaveLength(expected.size);
  });
});

describe('sync: a video with more comments than TikTok pages exactly', () => {
  let env: Awaited<ReturnType<typeof startAppWithSimulator>>;
  beforeAll(async () => {
    // our own budget lifted so the ~80 pages do not wait a minute for it (the simulator's limits are off too)
    env = await startAppWithSimulator({ app: { env: { WORKERS: 'false', SYNC_INTERVAL_SECONDS: '60', TIKTOK_RATE_BUDGET: 'off' } } });
  });
  afterAll(() => env?.close());

  it('reads it newest first and then oldest first: every comment once, and reconciliation deletes nothing it merely missed', async () => {
    const { sim, t } = env;
    const acct = sim.control.addAccount({ username: 'viral' });
    const [video, other] = seedVideos(sim, acct.openId, 2);
    const comments = seedComments(sim, acct.openId, video.itemId, 700, { withReplies: 4, repliesEach: 5 });
    const few = seedComments(sim, acct.openId, other.itemId, 3);
    const token = t.token({ tenant: 'acme' });
    const id = (await connectAccount(t, sim, acct.openId, token)).connectedId!;

    await syncUntilIdle(t);

    const expected = new Set([...comments, ...few].map((c) => c.commentId));
    const stored = await storedComments(t, id);
    expect(stored).toHaveLength(expected.size);
    expect(new Set(stored.map((s) => s.tiktok_comment_id))).toEqual(expected);
    expect(await eventsFor(t, id, 'tiktok.comment.received')).toHaveLength(expected.size);

    const listings = sim.control.calls({ path: 'business/comment/list/' }).filter((c) => c.query.video_id === video.itemId && !c.query.comment_ids);
    const desc = listings.filter((c) => (c.query.sort_order ?? 'desc') === 'desc');
    const asc = listings.filter((c) => c.query.sort_order === 'asc');
    expect(desc).toHaveLength(Math.ceil(700 / 30));
    // the oldest-first pass stops once it is past the exact first 500
    expect(asc.length).toBeGreaterThan(0);
    expect(asc.length).toBeLessThanOrEqual(Math.ceil(530 / 30));
    // the small video is read once, newest first only
    expect(sim.control.calls({ path: 'business/comment/list/' }).filter((c) => c.query.video_id === other.itemId && c.query.sort_order === 'asc')).toHaveLength(0);


    // a fan deletes two old comments on TikTok; a full reconciliation marks exactly those
    const topLevel = comments.filter((c) => !c.parentCommentId);
    const gone = [topLevel[10].commentId, topLevel[150].commentId];
    for (const c of gone) sim.control.deleteComment(c);
    await makeReconcileDue(t, id);
    for (let i = 0; i < 10; i++) {
      await makeDue(t, id);
      await syncOnce(t);
      const { reconcile } = (await syncRow(t, id)).sync_state as { reconcile?: unknown };
      if (!reconcile && (await storedComments(t, id)).filter((c) => c.deleted).length >= gone.length) break;
    }
    const after = await storedComments(t, id);
    expect(after.filter((c) => c.deleted).map((c) => c.tiktok_comment_id).sort()).toEqual([...gone].sort());
    expect(await eventsFor(t, id, 'tiktok.comment.changed')).toHaveLength(2);
    expect(await eventsFor(t, id, 'tiktok.comment.received')).toHaveLength(expected.size);
  });
  it('reads a video of more than 1,000 oldest first until the passes meet: nothing TikTok skips in one order is lost', async () => {
    const { sim, t } = env;
    const acct = sim.control.addAccount({ username: 'very.viral' });
    const [video] = seedVideos(sim, acct.openId, 1);
    const comments = seedComments(sim, acct.openId, video.itemId, 1_250, { startSecondsAgo: 86_400 * 2 });
    const id = (await connectAccount(t, sim, acct.openId, t.token({ tenant: 'acme' }))).connectedId!;
    await syncUntilIdle(t);

    const stored = await storedComments(t, id);
    expect(new Set(stored.map((s) => s.tiktok_comment_id))).toEqual(new Set(comments.map((c) => c.commentId)));
    expect(stored).toHaveLength(1_250);
    const asc = sim.control.calls({ path: 'business/comment/list/' }).filter((c) => c.query.video_id === video.itemId && c.query.sort_order === 'asc');
    expect(asc).toHaveLength(Math.ceil((1_250 - 500) / 30)); // to the newest-first pass's exact window, no further
  });
});
