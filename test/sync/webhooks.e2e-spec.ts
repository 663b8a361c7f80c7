import request from 'supertest';
import { signWebhook } from '../../src/sandbox/tiktok-simulator';
import { startAppWithSimulator } from '../support/tiktok';
import { startTestApp } from '../support/app';
import { asSuperuser } from '../support/database';
import { eventually } from '../support/eventually';
import { connectAccount } from '../factories/connect';
import { eventsFor, seedVideos, storedComments, syncUntilIdle } from '../factories/sync';
import { WebhookWorker } from '@modules/integrations/application/webhooks/webhook-worker';
import { WebhookSubscription } from '@modules/integrations/application/webhooks/webhook-subscription';

const deliveries = (env: { t: { testDb: Parameters<typeof asSuperuser>[0] } }): Promise<number> =>
  asSuperuser(env.t.testDb, async (c) => Number((await c.query('select count(*) as n from tiktok_webhook_delivery')).rows[0].n));

describe('TikTok comment webhook', () => {
  let env: Awaited<ReturnType<typeof startAppWithSimulator>>;
  const hookPath = '/api/v1/webhooks/tiktok';
  beforeAll(async () => {
    env = await startAppWithSimulator({ app: { env: { WORKERS: 'false', SYNC_INTERVAL_SECONDS: '60' } } });
    env.sim.control.setWebhookSubscription(`${env.t.url}${hookPath}`);
  });
  afterAll(() => env?.close());
  const work = (): Promise<number> => env.t.app.get(WebhookWorker).processOnce();

  it('refuses a bad signature, a stale timestamp, or none, storing nothing', async () => {
    const { t, sim } = env;
    const body = JSON.stringify({ client_key: sim.clientKey, event: 'comment.update', create_time: 1, user_openid: 'x', content: '{"comment_id":7110150495453840130,"video_id":7109065174526479622,"comment_action":"insert"}' });
    const now = Math.floor(Date.now() / 1000);
    const post = (sig?: string) => {
      const r = request(t.url).post(hookPath).set('content-type', 'application/json');
      if (sig) r.set('tiktok-signature', sig);
      return r.send(body);
    };
    const bad = await post(signWebhook('not-the-secret', body, now)).expect(401);
    expect(bad.body.error.code).toBe('WEBHOOK_SIGNATURE_INVALID');
    await post(signWebhook(sim.clientSecret, body, now - 301)).expect(401);
    await post(signWebhook(sim.clientSecret, body, now + 400)).expect(401);
    await post().expect(401);
    await post('t=abc,s=def').expect(401);
    // a valid signature over other bytes
    await request(t.url).post(hookPath).set('content-type', 'application/json').set('tiktok-signature', signWebhook(sim.clientSecret, body, now)).send(`${body} `).expect(401);
    expect(await deliveries(env)).toBe(0);
    // and the correct one is accepted
    await post(signWebhook(sim.clientSecret, body, now)).expect(200);
    expect(await deliveries(env)).toBe(1);
  });

  it('stores a comment once although TikTok delivers it twice, reads it from TikTok first, and fans out to both tenants', async () => {
    const { t, sim } = env;
    const acct = sim.control.addAccount({ username: 'shared' });
    const [video] = seedVideos(sim, acct.openId, 1);
    const a = (await connectAccount(t, sim, acct.openId, t.token({ tenant: 'acme' }))).connectedId!;
    const b = (await connectAccount(t, sim, acct.openId, t.token({ tenant: 'globex' }))).connectedId!;
    await syncUntilIdle(t);
    const before = await deliveries(env);
    sim.control.resetCalls();

    const c = sim.control.addComment(acct.openId, video.itemId, { text: 'webhook me' });
    await sim.control.flushWebhooks();
    const sent = sim.control.deliveries().filter((d) => d.body.includes(c.commentId));
    expect(sent).toHaveLength(1);
    expect(sent[0].status).toBe(200);
    // TikTok retries the same delivery: 200 again, nothing new stored
    const t2 = Math.floor(Date.now() / 1000);
    await request(t.url).post(hookPath).set('content-type', 'application/json').set('tiktok-signature', signWebhook(sim.clientSecret, sent[0].body, t2)).send(sent[0].body).expect(200);
    expect(await deliveries(env)).toBe(before + 1);

    await work();
    for (const id of [a, b]) {
      const stored = (await storedComments(t, id)).filter((s) => s.tiktok_comment_id === c.commentId);
      expect(stored).toHaveLength(1);
      expect(stored[0].text).toBe('webhook me');
      expect((await eventsFor(t, id, 'tiktok.comment.received')).filter((e) => e.data.tiktokCommentId === c.commentId)).toHaveLength(1);
    }
    // one by-id lookup per tenant's integration, not a list walk
    const lookups = sim.control.calls({ path: 'business/comment/list/' });
    expect(lookups).toHaveLength(2);
    expect(lookups.every((l) => l.query.comment_ids?.includes(c.commentId))).toBe(true);

    // the same delivery once more after it was handled: nothing changes
    await request(t.url).post(hookPath).set('content-type', 'application/json').set('tiktok-signature', signWebhook(sim.clientSecret, sent[0].body, t2)).send(sent[0].body).expect(200);
    await work();
    expect((await storedComments(t, a)).filter((s) => s.tiktok_comment_id === c.commentId)).toHaveLength(1);
    expect((await eventsFor(t, a, 'tiktok.comment.received')).filter((e) => e.data.tiktokCommentId === c.commentId)).toHaveLength(1);
    // the body (a commenter's text) is not kept once fanned out
    const bodies = await asSuperuser(t.testDb, async (q) => (await q.query('select count(*) as n from tiktok_webhook_delivery where body is not null')).rows[0].n);
    expect(Number(bodies)).toBe(0);

    // hide, unhide and delete made on TikTok update the stored comment with tiktok.comment.changed
    sim.control.hideComment(c.commentId, true);
    await sim.control.flushWebhooks();
    await work();
    expect((await storedComments(t, a)).find((s) => s.tiktok_comment_id === c.commentId)!.hidden).toBe(true);
    sim.control.deleteComment(c.commentId);
    await sim.control.flushWebhooks();
    await work();
    expect((await storedComments(t, a)).find((s) => s.tiktok_comment_id === c.commentId)!.deleted).toBe(true);
    const changes = (await eventsFor(t, a, 'tiktok.comment.changed')).map((e) => e.data.change);
    expect(changes).toEqual(['hidden', 'deleted']);
  });

  it('keeps a delivery for a video not yet known and handles it once the video is known', async () => {
    const { t, sim } = env;
    const acct = sim.control.addAccount({ username: 'newvid' });
    const id = (await connectAccount(t, sim, acct.openId, t.token({ tenant: 'acme' }))).connectedId!;
    await syncUntilIdle(t);
    const video = sim.control.addVideo(acct.openId, { caption: 'posted after the sync' });
    const c = sim.control.addComment(acct.openId, video.itemId, { text: 'first!' });
    await sim.control.flushWebhooks();
    await work();
    const stored = await storedComments(t, id);
    expect(stored.map((s) => s.tiktok_comment_id)).toEqual([c.commentId]);
    const vids = await request(t.url).get(`/api/v1/integrations/tiktok/${id}/videos`).set('authorization', `Bearer ${t.token({ tenant: 'acme' })}`).expect(200);
    expect(vids.body.items.map((v: { tiktokVideoId: string }) => v.tiktokVideoId)).toEqual([video.itemId]);
  });
});

describe('webhook subscription at start-up', () => {
  it('points the COMMENT subscription at TIKTOK_WEBHOOK_URL', async () => {
    const url = 'https://echo.example.com/api/v1/webhooks/tiktok';
    const env = await startAppWithSimulator({ app: { env: { WORKERS: 'false', TIKTOK_WEBHOOK_URL: url } } });
    try {
      await eventually(() => expect(env.sim.control.webhookSubscription()).toEqual({ eventType: 'COMMENT', callbackUrl: url }));
    } finally {
      await env.close();
    }
  });

  it('starts although TikTok is unreachable, and keeps trying', async () => {
    const t = await startTestApp({ env: { WORKERS: 'false', TIKTOK_WEBHOOK_URL: 'https://echo.example.com/api/v1/webhooks/tiktok', TIKTOK_REQUEST_TIMEOUT_MS: '500' } });
    try {
      await request(t.url).get('/health').expect(200);
      expect(await t.app.get(WebhookSubscription).firstAttempt).toBe(false);
      expect(t.logs.some((l) => l.includes('subscription not confirmed'))).toBe(true);
    } finally {
      await t.close();
    }
  });
});
