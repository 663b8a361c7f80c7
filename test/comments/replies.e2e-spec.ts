import request from 'supertest';
import { Client } from 'pg';
import { CommandBus } from '@nestjs/cqrs';
import { IngestCommentsCommand } from '@modules/comments/contracts';
import { startTikTokSimulator, type RunningSimulator } from '../../src/sandbox/tiktok-simulator';
import { startTestApp, type TestApp } from '../support/app';
import { eventually } from '../support/eventually';
import { asTikTok, eventsOf, seedComments, seedIntegration, seedVideo, type SeededIntegration } from '../factories/inbox';

const REPLY = 'business/comment/reply/create/';
const CREATE = 'business/comment/create/';

describe('replies, comments and moderation', () => {
  let sim: RunningSimulator;
  let t: TestApp;
  let a: SeededIntegration;
  let video: { id: string; tiktokVideoId: string };
  let admin: string;
  const base = Math.floor(Date.now() / 1000) - 600;

  const post = (path: string, body: unknown, key?: string) => {
    const r = request(t.url).post(`/api/v1${path}`).set('authorization', `Bearer ${admin}`);
    if (key) r.set('idempotency-key', key);
    return r.send(body as object);
  };
  const fan = async (text: string) => (await seedComments(t, sim, a, video, [{ text, createTime: base }]))[0];
  const row = (id: string) =>
    t.db.inTenant('acme', (tx) => tx.one<{ delivery_state: string; delivery_error: string | null; tiktok_comment_id: string | null }>('select * from tiktok_comment where id = $1', [id]));

  beforeAll(async () => {
    sim = await startTikTokSimulator({ rateLimit: { enabled: false } });
    t = await startTestApp({
      tiktok: { apiBaseUrl: sim.apiBaseUrl, authorizeUrl: sim.authorizeUrl, clientKey: sim.clientKey, clientSecret: sim.clientSecret },
      env: { TIKTOK_REQUEST_TIMEOUT_MS: '500' },
    });
    admin = t.token({ sub: 'agent-smith', roles: ['admin'] });
    a = await seedIntegration(t, sim, { username: 'brand' });
    video = await seedVideo(t, sim, a);
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });
  beforeEach(() => sim.control.resetCalls());

  it('replies: one TikTok call with the right ids, text and Access-Token; sent with TikTok’s id; events', async () => {
    const c = await fan('love this');
    const r = await post(`/comments/${c.id}/replies`, { text: '  Thank you!  ' }).expect(201);
    const calls = sim.control.calls({ path: REPLY });
    expect(calls).toHaveLength(1);
    expect(calls[0].headers['access-token']).toBe(a.auth.accessToken);
    expect(calls[0].body).toEqual({ business_id: a.openId, video_id: video.tiktokVideoId, comment_id: c.tiktokCommentId, text: 'Thank you!' });
    const atTikTok = sim.control.getComments(a.openId, video.tiktokVideoId).find((x) => x.owner && x.text === 'Thank you!');
    expect(r.body).toMatchObject({
      integrationId: a.id,
      videoId: video.id,
      tiktokCommentId: atTikTok!.commentId,
      parentId: c.id,
      replyToId: c.id,
      text: 'Thank you!',
      fromAccount: true,
      author: { username: 'brand' },
      delivery: { state: 'sent', error: null, postedBy: 'agent-smith' },
    });
    expect(r.body.warnings).toBeUndefined();
    const replied = (await eventsOf(t, 'acme', 'tiktok.comment.replied')).filter((e) => e.subject.id === r.body.id);
    expect(replied).toHaveLength(1);
    expect(replied[0].data).toMatchObject({
      tenant: 'acme',
      integrationId: a.id,
      videoId: video.id,
      commentId: r.body.id,
      tiktokCommentId: atTikTok!.commentId,
      tiktokParentId: c.tiktokCommentId,
      text: 'Thank you!',
      postedBy: 'agent-smith',
    });
    expect((await eventsOf(t, 'acme', 'tiktok.reply.requested')).filter((e) => e.subject.id === r.body.id)).toHaveLength(1);
    // the comment is now answered; a second reply within the hour carries the warning
    const list = await request(t.url).get(`/api/v1/comments?videoId=${video.id}&status=unanswered&limit=200`).set('authorization', `Bearer ${admin}`);
    expect(list.body.items.map((x: { id: string }) => x.id)).not.toContain(c.id);
    const again = await post(`/comments/${c.id}/replies`, { text: 'And welcome' }).expect(201);
    expect(again.body.warnings).toEqual([{ code: 'ALREADY_ANSWERED', message: expect.any(String) }]);
    const parent = await request(t.url).get(`/api/v1/comments/${c.id}`).set('authorization', `Bearer ${admin}`).expect(200);
    expect(parent.body.replies.map((x: { id: string }) => x.id)).toEqual([r.body.id, again.body.id]);
  });

  it('30 parallel replies to one comment: every one after the first carries ALREADY_ANSWERED, and all 30 are posted', async () => {
    // an account of its own: 30 replies take most of an account's TikTok budget for the minute
    const b = await seedIntegration(t, sim, { username: 'popular' });
    const [c] = await seedComments(t, sim, b, await seedVideo(t, sim, b), [{ text: 'popular', createTime: base }]);
    const replies = await Promise.all(Array.from({ length: 30 }, (_, i) => post(`/comments/${c.id}/replies`, { text: `reply ${i}` }, `race-${i}`)));
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 201));
    const warned = replies.filter((r) => (r.body as { warnings?: { code: string }[] }).warnings?.some((w) => w.code === 'ALREADY_ANSWERED'));
    expect(warned).toHaveLength(29);
    expect(sim.control.calls({ path: REPLY })).toHaveLength(30);
  });

  it('posts a top-level comment on the account’s video', async () => {
    const r = await post(`/integrations/tiktok/${a.id}/videos/${video.id}/comments`, { text: 'New drop Friday' }).expect(201);
    const calls = sim.control.calls({ path: CREATE });
    expect(calls).toHaveLength(1);
    expect(calls[0].body).toEqual({ business_id: a.openId, video_id: video.tiktokVideoId, text: 'New drop Friday' });
    expect(r.body).toMatchObject({ parentId: null, fromAccount: true, delivery: { state: 'sent', error: null } });
    expect(r.body.tiktokCommentId).toMatch(/^\d+$/);
    expect((await eventsOf(t, 'acme', 'tiktok.comment.posted')).filter((e) => e.subject.id === r.body.id)).toHaveLength(1);
    await post(`/integrations/tiktok/${a.id}/videos/00000000-0000-4000-8000-000000000000/comments`, { text: 'x' }).expect(404);
  });

  it('text: 1–1,200 code points (TIKTOK_TEXT_LIMIT) after trimming, else 400 on text and nothing sent', async () => {
    const c = await fan('text rules');
    for (const body of [{ text: 'a'.repeat(1201) }, { text: '😀'.repeat(1201) }, { text: '' }, { text: '  \n ' }, { text: 42 }, { text: null }, {}]) {
      const r = await post(`/comments/${c.id}/replies`, body).expect(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
      expect(r.body.error.details).toEqual([{ field: 'text', message: expect.any(String) }]);
    }
    await post(`/integrations/tiktok/${a.id}/videos/${video.id}/comments`, { text: ' ' }).expect(400);
    expect(sim.control.calls({ path: REPLY })).toHaveLength(0);
    expect(sim.control.calls({ path: CREATE })).toHaveLength(0);
    const emoji = '😀'.repeat(1200); // 2,400 UTF-16 units, 1,200 code points
    const ok = await post(`/comments/${c.id}/replies`, { text: emoji }).expect(201);
    expect(ok.body.delivery.state).toBe('sent');
    expect(sim.control.calls({ path: REPLY })[0].body).toMatchObject({ text: emoji });
  });

  it('Idempotency-Key: a replay answers the first status with the current state and sends nothing', async () => {
    const c = await fan('idem');
    const first = await post(`/comments/${c.id}/replies`, { text: 'once only' }, 'key-1').expect(201);
    const replay = await post(`/comments/${c.id}/replies`, { text: 'once only' }, 'key-1').expect(201);
    expect(replay.body.id).toBe(first.body.id);
    expect(replay.body.delivery.state).toBe('sent');
    expect(sim.control.calls({ path: REPLY })).toHaveLength(1);
    const reused = await post(`/comments/${c.id}/replies`, { text: 'something else' }, 'key-1').expect(409);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const otherTarget = await fan('idem 2');
    expect((await post(`/comments/${otherTarget.id}/replies`, { text: 'once only' }, 'key-1').expect(409)).body.error.code).toBe(
      'IDEMPOTENCY_KEY_REUSED',
    );
    // the key is per user: another user's same key is a new request
    const other = await request(t.url)
      .post(`/api/v1/comments/${c.id}/replies`)
      .set('authorization', `Bearer ${t.token({ sub: 'someone-else' })}`)
      .set('idempotency-key', 'key-1')
      .send({ text: 'once only' })
      .expect(201);
    expect(other.body.id).not.toBe(first.body.id);
    expect(sim.control.calls({ path: REPLY })).toHaveLength(2);
    await post(`/comments/${c.id}/replies`, { text: 'x' }, 'bad key with spaces').expect(400);
  });

  it('lost answer, reply not at TikTok: in progress while running, pending, then failed OUTCOME_UNKNOWN; never a second post', async () => {
    const c = await fan('hang before effect');
    sim.control.hangNext({ path: REPLY, afterEffect: false });
    const running = post(`/comments/${c.id}/replies`, { text: 'are you there?' }, 'key-hang').then((r) => r);
    await eventually(() => expect(sim.control.calls({ path: REPLY })).toHaveLength(1));
    const busy = await post(`/comments/${c.id}/replies`, { text: 'are you there?' }, 'key-hang').expect(409);
    expect(busy.body.error.code).toBe('IDEMPOTENCY_KEY_IN_PROGRESS');
    const r = await running;
    expect(r.status).toBe(201);
    expect(r.body.delivery).toEqual({ state: 'pending', error: null, postedBy: 'agent-smith' });
    expect(r.body.tiktokCommentId).toBeNull();
    expect(sim.control.calls({ path: 'business/comment/reply/list/' }).length).toBeGreaterThan(0);
    await eventually(async () => expect(await row(r.body.id)).toMatchObject({ delivery_state: 'failed', delivery_error: 'OUTCOME_UNKNOWN' }), {
      timeoutMs: 15_000,
    });
    expect(sim.control.calls({ path: REPLY })).toHaveLength(1);
    const failed = (await eventsOf(t, 'acme', 'tiktok.reply.failed')).filter((e) => e.subject.id === r.body.id);
    expect(failed).toHaveLength(1);
    expect(failed[0].data).toMatchObject({ error: 'OUTCOME_UNKNOWN', text: 'are you there?' });
    const replay = await post(`/comments/${c.id}/replies`, { text: 'are you there?' }, 'key-hang').expect(201);
    expect(replay.body.delivery).toMatchObject({ state: 'failed', error: 'OUTCOME_UNKNOWN' });
    expect(sim.control.calls({ path: REPLY })).toHaveLength(1);

    // It shows up at TikTok after all: the sync's ingest matches it to our post instead of a new comment.
    const late = sim.control.addComment(a.openId, video.tiktokVideoId, { text: 'are you there?', owner: true, parentCommentId: c.tiktokCommentId });
    const received = (await eventsOf(t, 'acme', 'tiktok.comment.received')).length;
    const res = await t.app.get(CommandBus).execute(new IngestCommentsCommand('acme', a.id, video.id, [asTikTok(late)]));
    expect(res).toEqual({ insertedIds: [], updated: expect.any(Number), matched: 1 });
    expect(await row(r.body.id)).toMatchObject({ delivery_state: 'sent', delivery_error: null, tiktok_comment_id: late.commentId });
    expect((await eventsOf(t, 'acme', 'tiktok.comment.received')).length).toBe(received);
    expect((await eventsOf(t, 'acme', 'tiktok.comment.replied')).filter((e) => e.subject.id === r.body.id)).toHaveLength(1);
  });

  it('lost answer, reply made at TikTok: read back and sent with its id, no second post', async () => {
    const c = await fan('hang after effect');
    sim.control.hangNext({ path: REPLY, afterEffect: true });
    const r = await post(`/comments/${c.id}/replies`, { text: 'got it' }).expect(201);
    const made = sim.control.getComments(a.openId, video.tiktokVideoId).filter((x) => x.owner && x.text === 'got it');
    expect(made).toHaveLength(1);
    expect(r.body.delivery.state).toBe('sent');
    expect(r.body.tiktokCommentId).toBe(made[0].commentId);
    expect(sim.control.calls({ path: REPLY })).toHaveLength(1);
    expect((await eventsOf(t, 'acme', 'tiktok.comment.replied')).filter((e) => e.subject.id === r.body.id)).toHaveLength(1);
  });

  it('a sync ingesting our reply while the send is recording TikTok’s id stores it once, without a received event', async () => {
    const c = await fan('race me');
    sim.control.hangNext({ path: REPLY, afterEffect: false });
    const r = await post(`/comments/${c.id}/replies`, { text: 'racing' }).expect(201);
    expect(r.body.tiktokCommentId).toBeNull();
    const x = sim.control.addComment(a.openId, video.tiktokVideoId, { text: 'racing', owner: true, parentCommentId: c.tiktokCommentId });
    const received = (await eventsOf(t, 'acme', 'tiktok.comment.received')).length;
    // The send's transaction has written TikTok's id (markSent's first statement) but not committed yet.
    const send = new Client({ connectionString: t.testDb.superuserUrl });
    await send.connect();
    try {
      await send.query('begin');
      await send.query(`update tiktok_comment set delivery_state = 'sent', delivery_error = null, tiktok_comment_id = $2 where id = $1`, [r.body.id, x.commentId]);
      const ingest = t.app.get(CommandBus).execute(new IngestCommentsCommand('acme', a.id, video.id, [asTikTok(x)]));
      await new Promise((done) => setTimeout(done, 300));
      await send.query('commit');
      expect((await ingest).insertedIds).toEqual([]);
    } finally {
      await send.end();
    }
    const rows = await t.db.inTenant('acme', (tx) => tx.query<{ id: string }>('select id from tiktok_comment where tiktok_comment_id = $1', [x.commentId]));
    expect(rows.map((row) => row.id)).toEqual([r.body.id]);
    expect((await eventsOf(t, 'acme', 'tiktok.comment.received')).length).toBe(received);
  });

  it('TikTok refusing a reply is failed with a stable reason, still 201', async () => {
    const c = await fan('to be deleted');
    sim.control.deleteComment(c.tiktokCommentId);
    const r = await post(`/comments/${c.id}/replies`, { text: 'too late' }).expect(201);
    expect(r.body.delivery).toMatchObject({ state: 'failed', error: 'COMMENT_NOT_FOUND' });
    expect((await eventsOf(t, 'acme', 'tiktok.reply.failed')).filter((e) => e.subject.id === r.body.id)).toHaveLength(1);
    const c2 = await fan('refused text');
    sim.control.failNext({ path: REPLY, code: 40002 });
    const r2 = await post(`/comments/${c2.id}/replies`, { text: 'spam?' }).expect(201);
    expect(r2.body.delivery).toMatchObject({ state: 'failed', error: 'TEXT_REJECTED' });
  });

  it('an integration that is not active answers 409 INTEGRATION_NOT_ACTIVE and sends nothing', async () => {
    const gone = await seedIntegration(t, sim, { username: 'gone', status: 'reauth_required' });
    const v = await seedVideo(t, sim, gone);
    const [c] = await seedComments(t, sim, gone, v, [{ text: 'hello?' }]);
    const before = await t.db.inTenant('acme', (tx) => tx.one<{ n: number }>('select count(*)::int as n from tiktok_comment where integration_id = $1', [gone.id]));
    for (const [path, body] of [
      [`/comments/${c.id}/replies`, { text: 'hi' }],
      [`/integrations/tiktok/${gone.id}/videos/${v.id}/comments`, { text: 'hi' }],
      [`/comments/${c.id}/hide`, undefined],
    ] as const) {
      const r = await post(path, body).expect(409);
      expect(r.body.error.code).toBe('INTEGRATION_NOT_ACTIVE');
    }
    const after = await t.db.inTenant('acme', (tx) => tx.one<{ n: number }>('select count(*)::int as n from tiktok_comment where integration_id = $1', [gone.id]));
    expect(after!.n).toBe(before!.n);
    expect(sim.control.calls().filter((x) => x.method === 'POST')).toHaveLength(0);
  });

  it('hide and unhide call TikTok (idempotent) and are recorded', async () => {
    const c = await fan('hide me');
    const h = await post(`/comments/${c.id}/hide`, undefined).expect(200);
    expect(h.body).toMatchObject({ id: c.id, hidden: true });
    await post(`/comments/${c.id}/hide`, undefined).expect(200);
    const calls = sim.control.calls({ path: 'business/comment/hide/' });
    expect(calls.map((x) => x.body)).toEqual([
      { business_id: a.openId, video_id: video.tiktokVideoId, comment_id: c.tiktokCommentId, action: 'HIDE' },
      { business_id: a.openId, video_id: video.tiktokVideoId, comment_id: c.tiktokCommentId, action: 'HIDE' },
    ]);
    expect(sim.control.getComment(c.tiktokCommentId)!.status).toBe('HIDDEN');
    const u = await post(`/comments/${c.id}/unhide`, undefined).expect(200);
    expect(u.body.hidden).toBe(false);
    expect(sim.control.calls({ path: 'business/comment/hide/' }).at(-1)!.body).toMatchObject({ action: 'UNHIDE' });
    expect(sim.control.getComment(c.tiktokCommentId)!.status).toBe('PUBLIC');
    expect((await eventsOf(t, 'acme', 'tiktok.comment.hidden')).filter((e) => e.subject.id === c.id)).toHaveLength(2);
    const unhidden = (await eventsOf(t, 'acme', 'tiktok.comment.unhidden')).filter((e) => e.subject.id === c.id);
    expect(unhidden).toHaveLength(1);
    expect(unhidden[0].data).toMatchObject({ commentId: c.id, tiktokCommentId: c.tiktokCommentId, text: 'hide me', changed: true });
  });

  it('delete: a fan’s comment is 403 NOT_OWN_COMMENT and not sent; the account’s own is deleted at TikTok', async () => {
    const c = await fan('not yours');
    const del = (id: string) => request(t.url).delete(`/api/v1/comments/${id}`).set('authorization', `Bearer ${admin}`);
    const r = await del(c.id).expect(403);
    expect(r.body.error.code).toBe('NOT_OWN_COMMENT');
    expect(sim.control.calls({ path: 'business/comment/delete/' })).toHaveLength(0);

    const mine = await post(`/comments/${c.id}/replies`, { text: 'delete me later' }).expect(201);
    await del(mine.body.id).expect(204);
    const calls = sim.control.calls({ path: 'business/comment/delete/' });
    expect(calls.map((x) => x.body)).toEqual([{ business_id: a.openId, comment_id: mine.body.tiktokCommentId }]);
    expect(sim.control.getComment(mine.body.tiktokCommentId)!.deleted).toBe(true);
    await del(mine.body.id).expect(204);
    expect(sim.control.calls({ path: 'business/comment/delete/' })).toHaveLength(1);
    const list = await request(t.url).get(`/api/v1/comments?videoId=${video.id}&limit=200`).set('authorization', `Bearer ${admin}`);
    expect(list.body.items.map((x: { id: string }) => x.id)).not.toContain(mine.body.id);
    expect((await eventsOf(t, 'acme', 'tiktok.comment.deleted')).filter((e) => e.subject.id === mine.body.id)).toHaveLength(1);
  });
});
