import request from 'supertest';
import { signWebhook } from '../../src/sandbox/tiktok-simulator';
import { startAppWithSimulator } from '../support/tiktok';
import { asSuperuser } from '../support/database';
import { connectAccount } from '../factories/connect';
import { deliverEvents, makeDue, makeVideosDue, storedComments, syncUntilIdle } from '../factories/sync';
import { WebhookWorker } from '@modules/integrations/application/webhooks/webhook-worker';

/** The JSON log lines the app wrote whose `msg` starts with `prefix`. */
function logLines(logs: string[], prefix: string): Record<string, unknown>[] {
  return logs
    .flatMap((chunk) => chunk.split('\n'))
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => typeof l.msg === 'string' && l.msg.startsWith(prefix));
}

/** The `fields` a recorded `video/list` call asked for. */
function fieldsOf(call: { query: Record<string, string> }): string[] {
  return JSON.parse(call.query.fields ?? '[]') as string[];
}

describe("TikTok's 2026 changes: is_ad, 40130, comment.update text; replies made in the TikTok app", () => {
  let env: Awaited<ReturnType<typeof startAppWithSimulator>>;
  const hookPath = '/api/v1/webhooks/tiktok';
  beforeAll(async () => {
    // debug: the webhook text comparison logs there
    env = await startAppWithSimulator({ app: { env: { WORKERS: 'false', SYNC_INTERVAL_SECONDS: '60', LOG_LEVEL: 'debug' } } });
  });
  afterAll(() => env?.close());

  const api = (path: string, token: string) => request(env.t.url).get(`/api/v1${path}`).set('authorization', `Bearer ${token}`);

  it('stores is_ad as Video.promoted (true, false, null when TikTok did not say), by the sync and by add-by-URL', async () => {
    const { t, sim } = env;
    const acct = sim.control.addAccount({ username: 'ads.shop' });
    const now = Math.floor(Date.now() / 1000);
    const ad = sim.control.addVideo(acct.openId, { caption: 'ad', isAd: true, createTime: now - 300 });
    const organic = sim.control.addVideo(acct.openId, { caption: 'organic', isAd: false, createTime: now - 200 });
    const silent = sim.control.addVideo(acct.openId, { caption: 'silent', createTime: now - 100 });
    const token = t.token({ tenant: 'acme' });
    const id = (await connectAccount(t, sim, acct.openId, token)).connectedId!;
    sim.control.resetCalls();
    await syncUntilIdle(t);

    const lists = sim.control.calls({ path: 'business/video/list/' });
    expect(lists.length).toBeGreaterThan(0);
    expect(lists.every((c) => fieldsOf(c).includes('is_ad'))).toBe(true);

    const page = await api(`/integrations/tiktok/${id}/videos`, token).expect(200);
    const byTikTokId = new Map((page.body.items as { tiktokVideoId: string; promoted: unknown }[]).map((v) => [v.tiktokVideoId, v.promoted]));
    expect(byTikTokId.get(ad.itemId)).toBe(true);
    expect(byTikTokId.get(organic.itemId)).toBe(false);
    expect(byTikTokId.get(silent.itemId)).toBeNull();
    expect(page.body.items.every((v: Record<string, unknown>) => 'promoted' in v)).toBe(true);

    // an unlisted promoted post added by its URL
    const unlisted = sim.control.addVideo(acct.openId, { caption: 'unlisted ad', listed: false, isAd: true });
    const added = await request(t.url)
      .post(`/api/v1/integrations/tiktok/${id}/videos`)
      .set('authorization', `Bearer ${token}`)
      .send({ url: `https://www.tiktok.com/@ads.shop/video/${unlisted.itemId}` })
      .expect(201);
    expect(added.body).toMatchObject({ tiktokVideoId: unlisted.itemId, promoted: true });
    const one = (await api(`/integrations/tiktok/${id}/videos`, token).expect(200)).body.items.find((v: { tiktokVideoId: string }) => v.tiktokVideoId === unlisted.itemId);
    expect(one.promoted).toBe(true);
  });

  it('40130 on is_ad: the sync completes, the field is remembered for the account and not asked again, one log line names it', async () => {
    const { t, sim } = env;
    const acct = sim.control.addAccount({ username: 'no.ads.field' });
    const now = Math.floor(Date.now() / 1000);
    const video = sim.control.addVideo(acct.openId, { caption: 'promoted but unreadable', isAd: true, createTime: now - 600 });
    sim.control.addComment(acct.openId, video.itemId, { text: 'first!', createTime: now - 500 });
    sim.control.denyField(acct.openId, 'is_ad');
    const token = t.token({ tenant: 'acme' });
    const id = (await connectAccount(t, sim, acct.openId, token)).connectedId!;
    sim.control.resetCalls();
    await syncUntilIdle(t);

    // TikTok answered 40130 once, to the one call that asked for is_ad; the retry went without it
    const lists = sim.control.calls({ path: 'business/video/list/' }).filter((c) => c.query.business_id === acct.openId);
    expect(lists[0].code).toBe(40130);
    expect(fieldsOf(lists[0])).toContain('is_ad');
    expect(lists.filter((c) => c.code === 40130)).toHaveLength(1);
    expect(lists.slice(1).every((c) => c.code === 0 && !fieldsOf(c).includes('is_ad'))).toBe(true);

    // the sync went on: the backfill finished, the video and its comment are stored, no failure
    await deliverEvents(t); // the counts follow the stored events
    const integration = await api(`/integrations/tiktok/${id}`, token).expect(200);
    expect(integration.body.status).toBe('active');
    expect(integration.body.sync).toMatchObject({ stage: 'live', videosKnown: 1, videosBackfilled: 1, commentsStored: 1 });
    expect(integration.body.lastSyncError ?? null).toBeNull();
    expect(await storedComments(t, id)).toHaveLength(1);
    const videos = (await api(`/integrations/tiktok/${id}/videos`, token).expect(200)).body.items;
    expect(videos).toHaveLength(1);
    expect(videos[0].promoted).toBeNull();

    // remembered in the database (so across restarts), and later calls of the account do not ask for it
    const stored = await asSuperuser(t.testDb, async (c) => (await c.query('select unavailable_fields from tiktok_integration where id = $1', [id])).rows[0]);
    expect(stored.unavailable_fields).toEqual(['is_ad']);
    sim.control.resetCalls();
    sim.control.addVideo(acct.openId, { caption: 'newer' });
    await makeDue(t, id);
    await syncUntilIdle(t);
    const later = sim.control.calls({ path: 'business/video/list/' }).filter((c) => c.query.business_id === acct.openId);
    expect(later.length).toBeGreaterThan(0);
    expect(later.every((c) => c.code === 0 && !fieldsOf(c).includes('is_ad'))).toBe(true);

    const lines = logLines(t.logs, 'tiktok field unavailable');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'info', field: 'is_ad', integrationId: id });
  });

  it('comment.update with text: the comment is still read by id and TikTok’s text and author are stored; the text is never logged', async () => {
    const { t, sim } = env;
    sim.control.setWebhookSubscription(`${t.url}${hookPath}`);
    try {
      const acct = sim.control.addAccount({ username: 'hooked' });
      const now = Math.floor(Date.now() / 1000);
      const video = sim.control.addVideo(acct.openId, { caption: 'webhooks', createTime: now - 600 });
      const token = t.token({ tenant: 'acme' });
      const id = (await connectAccount(t, sim, acct.openId, token)).connectedId!;
      await syncUntilIdle(t);

      // TikTok's own delivery carries the text in `content`
      const c = sim.control.addComment(acct.openId, video.itemId, { text: 'Ping from a fan', username: 'fan.real', displayName: 'Real Fan' });
      await sim.control.flushWebhooks();
      const delivered = sim.control.deliveries().filter((d) => d.body.includes(c.commentId));
      expect(delivered).toHaveLength(1);
      expect(JSON.parse((JSON.parse(delivered[0].body) as { content: string }).content)).toMatchObject({ text: 'Ping from a fan' });

      // a delivery whose text differs from what TikTok returns by id (ids as JSON numbers)
      const other = sim.control.addComment(acct.openId, video.itemId, { text: 'What TikTok has', username: 'fan.other', displayName: 'Other Fan' });
      await sim.control.flushWebhooks();
      const content = `{"comment_id":${other.commentId},"video_id":${video.itemId},"comment_type":"comment","comment_action":"insert","timestamp":${now},"unique_identifier":"x","text":"Webhook says otherwise"}`;
      const body = JSON.stringify({ client_key: sim.clientKey, event: 'comment.update', create_time: now, user_openid: acct.openId, content });
      await request(t.url).post(hookPath).set('content-type', 'application/json').set('tiktok-signature', signWebhook(sim.clientSecret, body, Math.floor(Date.now() / 1000))).send(body).expect(200);

      sim.control.resetCalls();
      await t.app.get(WebhookWorker).processOnce();
      const lookups = sim.control.calls({ path: 'business/comment/list/' });
      expect(lookups.length).toBeGreaterThan(0);
      expect(lookups.every((l) => l.query.comment_ids !== undefined)).toBe(true);
      expect(lookups.some((l) => l.query.comment_ids.includes(other.commentId))).toBe(true);

      const comments = (await api(`/comments?integrationId=${id}`, token).expect(200)).body.items as { tiktokCommentId: string; text: string; author: { username: string; displayName: string } }[];
      expect(comments.find((x) => x.tiktokCommentId === c.commentId)).toMatchObject({ text: 'Ping from a fan', author: { username: 'fan.real', displayName: 'Real Fan' } });
      expect(comments.find((x) => x.tiktokCommentId === other.commentId)).toMatchObject({ text: 'What TikTok has', author: { username: 'fan.other', displayName: 'Other Fan' } });

      // the difference is logged at debug, as digests; the equal one is not
      const differs = logLines(t.logs, 'webhook text differs');
      expect(differs).toHaveLength(1);
      expect(differs[0]).toMatchObject({ level: 'debug', tiktokCommentId: other.commentId, webhookTextDigest: expect.stringMatching(/^[0-9a-f]{16}$/) });
      const events = logLines(t.logs, 'webhook comment event').filter((l) => l.tiktokCommentId === other.commentId);
      // TikTok's own delivery and ours: each logged at debug with its text's length only
      expect(events.every((l) => l.level === 'debug')).toBe(true);
      expect(events.map((l) => l.textLength).sort()).toEqual(['What TikTok has'.length, 'Webhook says otherwise'.length].sort());
      // no log line, at any level, has a comment's text
      const all = t.logs.join('');
      for (const text of ['Ping from a fan', 'What TikTok has', 'Webhook says otherwise']) expect(all).not.toContain(text);
    } finally {
      sim.control.setWebhookSubscription(null);
    }
  });

  it('a reply made in the TikTok app answers the comment and the fan replies before it; a fan reply after it stays unanswered', async () => {
    const { t, sim } = env;
    const acct = sim.control.addAccount({ username: 'replies.in.app' });
    const now = Math.floor(Date.now() / 1000);
    const video = sim.control.addVideo(acct.openId, { caption: 'replies', createTime: now - 3600 });
    const token = t.token({ tenant: 'acme' });
    const id = (await connectAccount(t, sim, acct.openId, token)).connectedId!;
    const question = sim.control.addComment(acct.openId, video.itemId, { text: 'is it waterproof?', createTime: now - 120 });
    const followUp = sim.control.addComment(acct.openId, video.itemId, { text: 'asking for a friend', parentCommentId: question.commentId, createTime: now - 60 });
    await syncUntilIdle(t);
    const unanswered = async (): Promise<string[]> =>
      ((await api(`/comments?integrationId=${id}&status=unanswered`, token).expect(200)).body.items as { tiktokCommentId: string }[]).map((c) => c.tiktokCommentId);
    expect((await unanswered()).sort()).toEqual([question.commentId, followUp.commentId].sort());

    // the owner answers in the TikTok app (the simulator's owner action), not from Echo
    const res = await fetch(`${sim.controlUrl}api/videos/${video.itemId}/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'yes, fully', parentCommentId: question.commentId, asAccount: true }),
    });
    expect(res.status).toBe(201);
    const inAppId = ((await res.json()) as { comment: { commentId: string } }).comment.commentId;
    const inAppReply = sim.control.getComment(inAppId)!;
    expect(inAppReply.owner).toBe(true);
    // a fan writes again after the account's reply
    const after = sim.control.addComment(acct.openId, video.itemId, { text: 'and the price?', parentCommentId: question.commentId, createTime: inAppReply.createTime + 2 });

    await makeDue(t, id);
    await makeVideosDue(t, id);
    await syncUntilIdle(t);
    const all = (await api(`/comments?integrationId=${id}`, token).expect(200)).body.items as { tiktokCommentId: string; fromAccount: boolean }[];
    expect(all.find((c) => c.tiktokCommentId === inAppReply.commentId)).toMatchObject({ fromAccount: true });
    expect(await unanswered()).toEqual([after.commentId]);
    const answered = ((await api(`/comments?integrationId=${id}&status=answered`, token).expect(200)).body.items as { tiktokCommentId: string }[]).map((c) => c.tiktokCommentId);
    expect(answered.sort()).toEqual([question.commentId, followUp.commentId].sort());
  });
});
