import request from 'supertest';
import { CommandBus } from '@nestjs/cqrs';
import { IngestCommentsCommand } from '@modules/comments/contracts';
import { startTikTokSimulator, type RunningSimulator } from '../../src/sandbox/tiktok-simulator';
import { startTestApp, type TestApp } from '../support/app';
import { asSuperuser } from '../support/database';
import { eventually } from '../support/eventually';
import { asTikTok, eventsOf, seedComments, seedIntegration, seedVideo, shareWith, type SeededIntegration } from '../factories/inbox';

describe('inbox reads (GET /comments, GET /comments/{id}, GET videos)', () => {
  let sim: RunningSimulator;
  let t: TestApp;
  let a: SeededIntegration;
  let b: SeededIntegration;
  let videoA: { id: string; tiktokVideoId: string };
  let videoA2: { id: string; tiktokVideoId: string };
  let videoB: { id: string; tiktokVideoId: string };
  const base = Math.floor(Date.now() / 1000) - 3600;
  let admin: string;

  const get = (path: string, token = admin) => request(t.url).get(`/api/v1${path}`).set('authorization', `Bearer ${token}`);

  beforeAll(async () => {
    sim = await startTikTokSimulator({ rateLimit: { enabled: false } });
    t = await startTestApp({
      tiktok: { apiBaseUrl: sim.apiBaseUrl, authorizeUrl: sim.authorizeUrl, clientKey: sim.clientKey, clientSecret: sim.clientSecret },
    });
    admin = t.token({ sub: 'admin-1', roles: ['admin'] });
    a = await seedIntegration(t, sim, { username: 'brand_a' });
    b = await seedIntegration(t, sim, { username: 'brand_b' });
    videoA = await seedVideo(t, sim, a, { caption: 'first', createTime: base - 100 });
    videoA2 = await seedVideo(t, sim, a, { caption: 'second', createTime: base - 50 });
    videoB = await seedVideo(t, sim, b, { caption: 'other brand', createTime: base - 10 });
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  it('pages newest first by postedAt then id, with no repeat or gap while new comments arrive', async () => {
    // 7 comments, two sharing a second (the id breaks the tie)
    const seeded = await seedComments(t, sim, a, videoA, [
      { text: 'c1', createTime: base + 1 },
      { text: 'c2', createTime: base + 2 },
      { text: 'c3', createTime: base + 3 },
      { text: 'c4 same second', createTime: base + 4 },
      { text: 'c5 same second', createTime: base + 4 },
      { text: 'c6', createTime: base + 6 },
      { text: 'c7', createTime: base + 7 },
    ]);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pageNo = 0;
    do {
      const r: request.Response = await get(`/comments?integrationId=${a.id}&videoId=${videoA.id}&limit=3${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      seen.push(...r.body.items.map((c: { id: string }) => c.id));
      cursor = r.body.nextCursor;
      if (pageNo++ === 0) {
        // arrivals after the first page: a newer one and one in the middle of the range
        await seedComments(t, sim, a, videoA, [
          { text: 'late newest', createTime: base + 100 },
          { text: 'late old', createTime: base },
        ]);
      }
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    for (const s of seeded) expect(seen).toContain(s.id);
    // order: postedAt desc then id desc, everything strictly decreasing
    const all = await get(`/comments?videoId=${videoA.id}&limit=200`).expect(200);
    const keys = all.body.items.map((c: { postedAt: string; id: string }) => [c.postedAt, c.id]);
    for (let i = 1; i < keys.length; i++) {
      const [p0, i0] = keys[i - 1];
      const [p1, i1] = keys[i];
      expect(p0 > p1 || (p0 === p1 && i0 > i1)).toBe(true);
    }
    expect(all.body.items).toHaveLength(9);
  });

  it('answers Comment JSON exactly as API.md defines it', async () => {
    const [c] = await seedComments(t, sim, a, videoA2, [{ text: 'Shape Check 🎉', createTime: base + 20, username: 'fan_shape' }]);
    const r = await get(`/comments/${c.id}`).expect(200);
    expect(r.body).toEqual({
      id: c.id,
      integrationId: a.id,
      videoId: videoA2.id,
      tiktokCommentId: c.tiktokCommentId,
      parentId: null,
      replyToId: null,
      author: { username: 'fan_shape', displayName: 'fan_shape', avatarUrl: expect.stringMatching(/^https:/) },
      text: 'Shape Check 🎉',
      likeCount: 0,
      replyCount: 0,
      postedAt: new Date((base + 20) * 1000).toISOString(),
      fromAccount: false,
      hidden: false,
      deleted: false,
      delivery: null,
      replies: [],
    });
    expect(typeof r.body.tiktokCommentId).toBe('string');
  });

  it('filters by q (case-insensitive, literal), since, status and integration', async () => {
    const [root, , ownReply] = await seedComments(t, sim, b, videoB, [
      { text: 'Where is the SHOP link?', createTime: base + 30 },
      { text: '100% love it_', createTime: base + 31 },
    ]).then(async (r) => [
      ...r,
      ...(await seedComments(t, sim, b, videoB, [{ text: 'here you go', owner: true, parentCommentId: r[0].tiktokCommentId, createTime: base + 32 }])),
    ]);
    const q = await get(`/comments?q=${encodeURIComponent('shop LINK')}`).expect(200);
    expect(q.body.items.map((c: { id: string }) => c.id)).toEqual([root.id]);
    const pct = await get(`/comments?q=${encodeURIComponent('0% love it_')}`).expect(200);
    expect(pct.body.items).toHaveLength(1);
    const wild = await get(`/comments?q=${encodeURIComponent('%')}&integrationId=${b.id}`).expect(200);
    expect(wild.body.items.map((c: { text: string }) => c.text)).toEqual(['100% love it_']);

    const since = await get(`/comments?integrationId=${b.id}&since=${new Date((base + 31) * 1000).toISOString()}`).expect(200);
    expect(since.body.items.map((c: { text: string }) => c.text)).toEqual(['here you go', '100% love it_']);

    const unanswered = await get(`/comments?integrationId=${b.id}&status=unanswered`).expect(200);
    expect(unanswered.body.items.map((c: { text: string }) => c.text)).toEqual(['100% love it_']);
    const answered = await get(`/comments?integrationId=${b.id}&status=answered`).expect(200);
    expect(answered.body.items.map((c: { id: string }) => c.id)).toEqual([root.id]);
    const all = await get(`/comments?integrationId=${b.id}`).expect(200);
    expect(all.body.items).toHaveLength(3);
    expect(all.body.items[0]).toMatchObject({ id: ownReply.id, fromAccount: true, parentId: root.id });

    const detail = await get(`/comments/${root.id}`).expect(200);
    expect(detail.body.replies.map((c: { id: string }) => c.id)).toEqual([ownReply.id]);

    await get('/comments?status=maybe').expect(400);
    await get('/comments?limit=0').expect(400);
    await get('/comments?limit=201').expect(400);
    await get('/comments?cursor=garbage').expect(400);
  });

  it('ingest stores each comment once and emits one received event per new row', async () => {
    const before = (await eventsOf(t, 'acme', 'tiktok.comment.received')).length;
    const c = sim.control.addComment(a.openId, videoA2.tiktokVideoId, { text: 'dup check', createTime: base + 40 });
    const bus = t.app.get(CommandBus);
    const first = await bus.execute(new IngestCommentsCommand('acme', a.id, videoA2.id, [asTikTok(c), asTikTok(c)]));
    const again = await bus.execute(new IngestCommentsCommand('acme', a.id, videoA2.id, [asTikTok(c)]));
    expect(first.insertedIds).toHaveLength(1);
    expect(again).toEqual({ insertedIds: [], updated: 0, matched: 0 });
    const hidden = await bus.execute(new IngestCommentsCommand('acme', a.id, videoA2.id, [{ ...asTikTok(c), status: 'HIDDEN', likes: 3 }]));
    expect(hidden).toEqual({ insertedIds: [], updated: 1, matched: 0 });
    const received = await eventsOf(t, 'acme', 'tiktok.comment.received');
    expect(received.length - before).toBe(1);
    expect(received.at(-1)!.data).toMatchObject({
      tenant: 'acme',
      integrationId: a.id,
      videoId: videoA2.id,
      commentId: first.insertedIds[0],
      tiktokCommentId: c.commentId,
      tiktokVideoId: videoA2.tiktokVideoId,
      author: { username: c.username },
      text: 'dup check',
    });
    const changed = await eventsOf(t, 'acme', 'tiktok.comment.changed');
    expect(changed.at(-1)!.data).toMatchObject({ commentId: first.insertedIds[0], change: 'hidden' });
  });

  it('agents see only shared integrations: others are empty lists and 404s', async () => {
    const agent = t.token({ sub: 'agent-1', roles: ['agent'] });
    const [onB] = await seedComments(t, sim, b, videoB, [{ text: 'for agents', createTime: base + 50 }]);
    const none = await get('/comments?limit=200', agent).expect(200);
    expect(none.body).toEqual({ items: [], nextCursor: null });
    await get(`/comments/${onB.id}`, agent).expect(404);
    await get(`/integrations/tiktok/${b.id}/videos`, agent).expect(404);

    await shareWith(t, 'acme', 'agent-1', [b.id]);
    const some = await get('/comments?limit=200', agent).expect(200);
    expect(some.body.items.length).toBeGreaterThan(0);
    expect(some.body.items.every((c: { integrationId: string }) => c.integrationId === b.id)).toBe(true);
    await get(`/comments/${onB.id}`, agent).expect(200);
    const aComment = (await get(`/comments?integrationId=${a.id}&limit=1`).expect(200)).body.items[0];
    await get(`/comments/${aComment.id}`, agent).expect(404);
    const filtered = await get(`/comments?integrationId=${a.id}`, agent).expect(200);
    expect(filtered.body.items).toEqual([]);

    // another tenant's admin sees nothing of acme's
    const other = t.token({ sub: 'x', tenant: 'globex', roles: ['admin'] });
    expect((await get('/comments', other).expect(200)).body.items).toEqual([]);
    await get(`/comments/${onB.id}`, other).expect(404);
    // auditors may not read the inbox
    await get('/comments', t.token({ roles: ['auditor'] })).expect(403);
  });

  it('records every read in the same transaction with the ids returned', async () => {
    const reader = t.token({ sub: 'reader-1', roles: ['admin'] });
    const list = await get(`/comments?integrationId=${a.id}&limit=2&q=c`, reader).expect(200);
    const reads = (await eventsOf(t, 'acme', 'tiktok.comments.read')).filter((e) => e.actor.id === 'reader-1');
    expect(reads).toHaveLength(1);
    expect(reads[0].data.ids).toEqual(list.body.items.map((c: { id: string }) => c.id));
    expect(reads[0].data.filters).toMatchObject({ integrationId: a.id, q: 'c', limit: 2, status: 'all' });

    const id = list.body.items[0].id;
    const one = await get(`/comments/${id}`, reader).expect(200);
    const reads2 = (await eventsOf(t, 'acme', 'tiktok.comments.read')).filter((e) => e.actor.id === 'reader-1');
    expect(reads2).toHaveLength(2);
    expect(reads2[1].data.ids).toEqual([id, ...one.body.replies.map((r: { id: string }) => r.id)]);
    expect(reads2[1].subject).toEqual({ type: 'comment', id });
  });

  it('returns no data when the read event cannot be written', async () => {
    await asSuperuser(t.testDb, (c) =>
      c.query(`create or replace function refuse_reads() returns trigger language plpgsql as $$
               begin
                 if new.type = 'tiktok.comments.read' then raise exception 'audit store unavailable'; end if;
                 return new;
               end $$;
               create trigger refuse_reads before insert on event_log for each row execute function refuse_reads();`),
    );
    try {
      const some = (await eventsOf(t, 'acme', 'tiktok.comment.received'))[0].subject.id;
      const list = await get('/comments').expect(500);
      expect(list.body.items).toBeUndefined();
      expect(JSON.stringify(list.body)).not.toContain('tiktokCommentId');
      expect(list.body.error.code).toBe('INTERNAL');
      const one = await get(`/comments/${some}`).expect(500);
      expect(one.body.id).toBeUndefined();
      expect(JSON.stringify(one.body)).not.toContain(some);
    } finally {
      await asSuperuser(t.testDb, (c) => c.query('drop trigger refuse_reads on event_log; drop function refuse_reads()'));
    }
    await get('/comments').expect(200);
  });

  it('lists an integration’s videos newest first, in pages, as Video JSON', async () => {
    const p1 = await get(`/integrations/tiktok/${a.id}/videos?limit=1`).expect(200);
    expect(p1.body.items).toEqual([
      {
        id: videoA2.id,
        integrationId: a.id,
        tiktokVideoId: videoA2.tiktokVideoId,
        url: expect.stringContaining(videoA2.tiktokVideoId),
        caption: 'second',
        thumbnailUrl: expect.any(String),
        postedAt: new Date((base - 50) * 1000).toISOString(),
        commentCount: 0,
        lastCommentAt: expect.any(String), // videoA2 has comments by now (checked exactly below)
        source: 'sync',
        addedAt: expect.any(String),
        promoted: null, // the simulator's video says no is_ad
      },
    ]);
    const p2 = await get(`/integrations/tiktok/${a.id}/videos?limit=1&cursor=${p1.body.nextCursor}`).expect(200);
    expect(p2.body.items.map((v: { id: string }) => v.id)).toEqual([videoA.id]);
    expect(p2.body.nextCursor).toBeNull();
    // lastCommentAt follows tiktok.comment.received (the videos module's consumer)
    const newest = (await get(`/comments?videoId=${videoA.id}&limit=1`).expect(200)).body.items[0];
    await eventually(async () => {
      const v = (await get(`/integrations/tiktok/${a.id}/videos?limit=200`).expect(200)).body.items.find((x: { id: string }) => x.id === videoA.id);
      expect(v.lastCommentAt).toBe(newest.postedAt);
    });
    await get(`/integrations/tiktok/00000000-0000-4000-8000-000000000000/videos`).expect(404);
    await get(`/integrations/tiktok/not-a-uuid/videos`).expect(404);
  });
});
