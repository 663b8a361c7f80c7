import request from 'supertest';
import { startAppWithSimulator } from '../support/tiktok';
import { connectAccount } from '../factories/connect';
import { eventsFor, seedComments, seedVideos, storedComments, syncRow, syncUntilIdle } from '../factories/sync';

describe('sync: backfill after connect', () => {
  let env: Awaited<ReturnType<typeof startAppWithSimulator>>;
  beforeAll(async () => {
    env = await startAppWithSimulator({ app: { env: { WORKERS: 'false', SYNC_INTERVAL_SECONDS: '60' } } });
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
    const token = t.token({ tenant: 'acme' });
    const { connectedId } = await connectAccount(t, sim, acct.openId, token);
    const id = connectedId!;

    await syncUntilIdle(t);

    const expected = new Map([...big, ...small, hidden].map((c) => [c.commentId, c]));
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
