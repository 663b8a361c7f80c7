import { startAppWithSimulator } from '../support/tiktok';
import { connectAccount } from '../factories/connect';
import { eventsFor, makeDue, makeReconcileDue, makeVideosDue, seedComments, seedVideos, storedComments, syncUntilIdle } from '../factories/sync';
import { WebhookWorker } from '@modules/integrations/application/webhooks/webhook-worker';
import { TikTokSyncScheduler } from '@modules/integrations/application/sync/tiktok-sync.scheduler';

describe('sync: new comments arrive once, by poll, webhook or both', () => {
  let env: Awaited<ReturnType<typeof startAppWithSimulator>>;
  let id: string;
  let openId: string;
  let videoId: string;
  let old: string;
  beforeAll(async () => {
    env = await startAppWithSimulator({ app: { env: { WORKERS: 'false', SYNC_INTERVAL_SECONDS: '60' } } });
    const { sim, t } = env;
    const acct = sim.control.addAccount({ username: 'arrivals' });
    openId = acct.openId;
    const videos = seedVideos(sim, openId, 2);
    videoId = videos[0].itemId;
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
