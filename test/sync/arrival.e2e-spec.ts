import { startAppWithSimulator } from '../support/tiktok';
import { connectAccount } from '../factories/connect';
import { eventsFor, makeDue, makeReconcileDue, makeVideosDue, seedComments, seedVideos, setSwept, storedComments, syncUntilIdle } from '../factories/sync';
import { WebhookWorker } from '@modules/integrations/application/webhooks/webhook-worker';
import { TikTokSyncScheduler } from '@modules/integrations/application/sync/tiktok-sync.scheduler';
import { CommandBus } from '@nestjs/cqrs';
import { IngestCommentsCommand } from '@modules/comments/contracts';
import type { TikTokComment } from '@shared/tiktok/tiktok-api.port';
import { asSuperuser } from '../support/database';
import { asTikTok } from '../factories/inbox';

describe('sync: new comments arrive once, by poll, webhook or both', () => {
  let env: Awaited<ReturnType<typeof startAppWithSimulator>>;
  let id: string;
  let openId: string;
  let videoId: string;
  let quietVideoId: string;
  let old: string;
  beforeAll(async () => {
    env = await startAppWithSimulator({ app: { env: { WORKERS: 'false', SYNC_INTERVAL_SECONDS: '60' } } });
    const { sim, t } = env;
    const acct = sim.control.addAccount({ username: 'arrivals' });
    openId = acct.openId;
    const videos = seedVideos(sim, openId, 2);
    videoId = videos[0].itemId;
    quietVideoId = videos[1].itemId;
    old = seedComments(sim, openId, videoId, 10)[0].commentId; // the oldest comment
    id = (await connectAccount(t, sim, openId, t.token({ tenant: 'acme' }))).connectedId!;
    await syncUntilIdle(t);
  });
  afterAll(() => env?.close());

  const pollNow = async (): Promise<void> => {
    await makeVideosDue(env.t, id);
    await makeDue(env.t, id);
    await syncUntilIdle(env.t);
  };
  const once = async (commentId: string): Promise<void> => {
    expect((await storedComments(env.t, id)).filter((c) => c.tiktok_comment_id === commentId)).toHaveLength(1);
    expect((await eventsFor(env.t, id, 'tiktok.comment.received')).filter((e) => e.data.tiktokCommentId === commentId)).toHaveLength(1);
  };

  it('by poll', async () => {
    const c = env.sim.control.addComment(openId, videoId, { text: 'polled' });
    await pollNow();
    await once(c.commentId);
    await pollNow(); // and again: nothing new
    await once(c.commentId);
  });

  it('a new reply under an old comment is found by the poll (its replies count changed)', async () => {
    const { sim } = env;
    sim.control.resetCalls();
    const r = sim.control.addComment(openId, videoId, { text: 'late reply', parentCommentId: old });
    await pollNow();
    await once(r.commentId);
    const stored = (await storedComments(env.t, id)).find((c) => c.tiktok_comment_id === r.commentId)!;
    expect(stored.parent_tiktok).toBe(old);
  });

  it('a new reply under a comment below the first page is found by the sweep of a recent video, not by a quick poll', async () => {
    const { sim, t } = env;
    // 70 top-level comments, the oldest with 4 replies (more than the 3 a listing carries inline)
    const seeded = seedComments(sim, openId, quietVideoId, 70, { startSecondsAgo: 3_600, withReplies: 1, repliesEach: 4 });
    await pollNow(); // a quick poll pages down to the first known comment: all stored
    await setSwept(t, id, 'now');
    const parent = seeded[0].commentId; // the oldest: on the third page newest first
    expect((await storedComments(t, id)).filter((c) => c.parent_tiktok === parent)).toHaveLength(4);
    // four new replies: a listing carries three inline, so the fourth needs `reply/list`
    const news = Array.from({ length: 4 }, (_, i) => sim.control.addComment(openId, quietVideoId, { text: `reply deep down ${i}`, parentCommentId: parent }));
    await pollNow();
    const ids = new Set(news.map((r) => r.commentId));
    expect((await storedComments(t, id)).some((c) => ids.has(c.tiktok_comment_id))).toBe(false);

    sim.control.resetCalls();
    await setSwept(t, id, null);
    await makeDue(t, id);
    await syncUntilIdle(t);
    for (const r of news) await once(r.commentId);
    expect((await storedComments(t, id)).filter((c) => ids.has(c.tiktok_comment_id)).map((c) => c.parent_tiktok)).toEqual([parent, parent, parent, parent]);
    // three top-level pages of that video and one reply page; no reconciliation (no by-id lookups)
    const lists = sim.control.calls({ path: 'business/comment/list/' }).filter((c) => c.query.video_id === quietVideoId);
    expect(lists.filter((c) => !c.query.comment_ids)).toHaveLength(3);
    expect(lists.filter((c) => c.query.comment_ids)).toHaveLength(0);
    expect(sim.control.calls({ path: 'business/comment/reply/list/' }).map((c) => c.query.comment_id)).toEqual([parent]);
  });

  it('by webhook, then the poll finds nothing new', async () => {
    const { sim, t } = env;
    sim.control.setWebhookSubscription(`${t.url}/api/v1/webhooks/tiktok`);
    const c = sim.control.addComment(openId, videoId, { text: 'pushed' });
    await sim.control.flushWebhooks();
    await t.app.get(WebhookWorker).processOnce();
    await once(c.commentId);
    await pollNow();
    await once(c.commentId);
    sim.control.setWebhookSubscription(null);
  });

  it('by both at the same moment (webhook worker and a poll racing)', async () => {
    const { sim, t } = env;
    sim.control.setWebhookSubscription(`${t.url}/api/v1/webhooks/tiktok`);
    const batch = Array.from({ length: 5 }, (_, i) => sim.control.addComment(openId, videoId, { text: `race ${i}` }));
    await sim.control.flushWebhooks();
    await makeVideosDue(t, id);
    await makeDue(t, id);
    await Promise.all([t.app.get(WebhookWorker).processOnce(), t.app.get(TikTokSyncScheduler).syncOnce()]);
    for (const c of batch) await once(c.commentId);
    sim.control.setWebhookSubscription(null);
  });

  it('an ingest that meets a comment another writer stored since its probe starts over: stored once, one event', async () => {
    const { t, sim } = env;
    // at TikTok too, so that the reconciliation below finds them there
    const comment = (n: number): TikTokComment => asTikTok(sim.control.addComment(openId, videoId, { text: `raced ${n}` }));
    const [a, b] = [comment(1), comment(2)];
    const echoVideoId = await asSuperuser(t.testDb, async (c) => (await c.query(`select id from tiktok_video where integration_id = $1 and tiktok_video_id = $2`, [id, videoId])).rows[0].id as string);
    const ingest = (cs: TikTokComment[]) => t.app.get(CommandBus).execute(new IngestCommentsCommand('acme', id, echoVideoId, cs));
    // another writer inserts `a` and holds its transaction open: our ingest's probe does not see it,
    // its insert waits on the unique key, then fails on it once the other writer commits, and the
    // ingest starts over (the probe then finds `a`)
    await asSuperuser(t.testDb, async (c) => {
      await c.query('begin');
      await c.query(
        `insert into tiktok_comment (tenant_id, id, integration_id, video_id, tiktok_video_id, tiktok_comment_id, author_username, author_display_name, text, posted_at)
         values ('acme', gen_random_uuid(), $1, $2, $3, $4, 'fan', 'Fan', 'raced 1', now())`,
        [id, echoVideoId, videoId, a.commentId],
      );
      const racing = ingest([a, b]);
      let waited = false;
      for (let i = 0; i < 250 && !waited; i++) {
        const n = await asSuperuser(t.testDb, async (w) => (await w.query(`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%insert into tiktok_comment (%'`)).rows[0].n as number);
        waited = n > 0;
        if (!waited) await new Promise((r) => setTimeout(r, 20));
      }
      expect(waited).toBe(true); // the race really happened: our insert waited on the other writer's row
      await c.query('commit');
      const res = await racing;
      expect(res.insertedIds).toHaveLength(1); // `b` only: `a` was the other writer's
    });
    await once(b.commentId);
    expect((await storedComments(t, id)).filter((c) => c.tiktok_comment_id === a.commentId)).toHaveLength(1);
    // the other writer's row carries no event of ours (it would have appended its own)
    expect((await eventsFor(t, id, 'tiktok.comment.received')).filter((e) => e.data.tiktokCommentId === a.commentId)).toHaveLength(0);
  });

  it('an ingest naming a video that is not stored for the integration stores nothing', async () => {
    const { t, sim } = env;
    const c = asTikTok(sim.control.addComment(openId, videoId, { text: 'nowhere' }));
    const ingest = (video: string) => t.app.get(CommandBus).execute(new IngestCommentsCommand('acme', id, video, [c]));
    await expect(ingest('00000000-0000-7000-8000-000000000000')).rejects.toThrow(/not stored/);
    // a stored video of another tenant is not this integration's either
    const other = await asSuperuser(t.testDb, async (q) => {
      await q.query(
        `insert into tiktok_video (tenant_id, id, integration_id, tiktok_video_id, url, caption, posted_at, source)
         values ('globex', gen_random_uuid(), gen_random_uuid(), '1', '', '', now(), 'sync')`,
      );
      return (await q.query(`select id from tiktok_video where tenant_id = 'globex'`)).rows[0].id as string;
    });
    await expect(ingest(other)).rejects.toThrow(/not stored/);
    expect((await storedComments(t, id)).filter((s) => s.tiktok_comment_id === c.commentId)).toHaveLength(0);
    await expect(asSuperuser(t.testDb, (q) => q.query(`delete from tiktok_video where tenant_id = 'globex'`))).rejects.toThrow(/never deleted/);
  });

  it('reconciliation notices a hide and a deletion made on TikTok without any webhook', async () => {
    const { sim, t } = env;
    const all = await storedComments(t, id);
    const [toHide, toDelete] = all.filter((c) => !c.parent_tiktok && c.tiktok_comment_id !== old).map((c) => c.tiktok_comment_id);
    sim.control.hideComment(toHide, true);
    sim.control.deleteComment(toDelete);
    sim.control.resetCalls();
    await makeReconcileDue(t, id);
    await makeDue(t, id); // the reconciliation share of the run reads every video in full
    await syncUntilIdle(t);
    const after = await storedComments(t, id);
    expect(after.find((c) => c.tiktok_comment_id === toHide)!.hidden).toBe(true);
    expect(after.find((c) => c.tiktok_comment_id === toDelete)!.deleted).toBe(true);
    const changed = await eventsFor(t, id, 'tiktok.comment.changed');
    expect(changed.map((e) => [e.data.tiktokCommentId, e.data.change])).toEqual(
      expect.arrayContaining([
        [toHide, 'hidden'],
        [toDelete, 'deleted'],
      ]),
    );
    expect(changed).toHaveLength(2);
    // the deletion was confirmed by a by-id lookup before it was recorded
    expect(sim.control.calls({ path: 'business/comment/list/' }).some((c) => c.query.comment_ids?.includes(toDelete))).toBe(true);
  });
});
