import request from 'supertest';
import { startAppWithSimulator } from '../support/tiktok';
import { eventually } from '../support/eventually';
import { connectAccount } from '../factories/connect';
import { eventsFor, seedComments, storedComments, syncUntilIdle } from '../factories/sync';

describe('add a video by URL', () => {
  let env: Awaited<ReturnType<typeof startAppWithSimulator>>;
  let id: string;
  let token: string;
  let openId: string;
  beforeAll(async () => {
    env = await startAppWithSimulator({ app: { env: { WORKERS: 'false', SYNC_INTERVAL_SECONDS: '60' } } });
    const acct = env.sim.control.addAccount({ username: 'urlshop' });
    openId = acct.openId;
    token = env.t.token({ tenant: 'acme' });
    id = (await connectAccount(env.t, env.sim, openId, token)).connectedId!;
    await syncUntilIdle(env.t); // nothing to import yet
  });
  afterAll(() => env?.close());
  const add = (url: unknown) => request(env.t.url).post(`/api/v1/integrations/tiktok/${id}/videos`).set('authorization', `Bearer ${token}`).send({ url });

  it('adds a video of the account (201, source url, event, comments imported), and the same again is a 200', async () => {
    const { sim, t } = env;
    const video = sim.control.addVideo(openId, { caption: 'posted after connect' });
    const comments = seedComments(sim, openId, video.itemId, 35, { withReplies: 1, repliesEach: 5 });
    const res = await add(`https://www.tiktok.com/@urlshop/video/${video.itemId}?is_from_webapp=1&sender_device=pc`).expect(201);
    expect(res.body).toMatchObject({ integrationId: id, tiktokVideoId: video.itemId, source: 'url', caption: 'posted after connect' });
    const added = await eventsFor(t, id, 'tiktok.video.added');
    expect(added.filter((e) => e.data.tiktokVideoId === video.itemId)).toHaveLength(1);
    await eventually(async () => expect(await storedComments(t, id)).toHaveLength(comments.length));
    const again = await add(`https://m.tiktok.com/v/${video.itemId}.html`).expect(200);
    expect(again.body.id).toBe(res.body.id);
    expect((await eventsFor(t, id, 'tiktok.video.added')).filter((e) => e.data.tiktokVideoId === video.itemId)).toHaveLength(1);
    // kept in later syncs: a new comment on it is found by the poll
    const late = sim.control.addComment(openId, video.itemId, { text: 'late comment' });
    await request(t.url).post(`/api/v1/integrations/tiktok/${id}/sync`).set('authorization', `Bearer ${token}`).expect(202);
    const { makeVideosDue } = await import('../factories/sync');
    await makeVideosDue(t, id);
    await syncUntilIdle(t);
    expect((await storedComments(t, id)).map((c) => c.tiktok_comment_id)).toContain(late.commentId);
  });

  it('resolves short links through TikTok hosts only, at most 5 hops', async () => {
    const { sim } = env;
    const video = sim.control.addVideo(openId, { caption: 'shared by short link' });
    sim.control.addShortLink({ host: 'vm.tiktok.com', path: '/ZMtwohop/', location: 'https://www.tiktok.com/t/ZThop2/' });
    sim.control.addShortLink({ host: 'www.tiktok.com', path: '/t/ZThop2/', location: `https://www.tiktok.com/@urlshop/video/${video.itemId}?_r=1&_t=abc` });
    const res = await add('https://vm.tiktok.com/ZMtwohop/').expect(201);
    expect(res.body.tiktokVideoId).toBe(video.itemId);

    // a redirect to another host is refused without being followed
    sim.control.addShortLink({ host: 'vt.tiktok.com', path: '/ZSevil/', location: `https://evil.example.com/@urlshop/video/${video.itemId}` });
    expect((await add('https://vt.tiktok.com/ZSevil/').expect(400)).body.error.code).toBe('INVALID_VIDEO_URL');
    const evilCalls = sim.control.calls().filter((c) => c.path.includes('evil.example'));
    expect(evilCalls).toHaveLength(0);
    // a loop longer than 5 hops
    for (let i = 0; i < 7; i++) sim.control.addShortLink({ host: 'vm.tiktok.com', path: `/ZMloop${i}/`, location: `https://vm.tiktok.com/ZMloop${i + 1}/` });
    expect((await add('https://vm.tiktok.com/ZMloop0/').expect(400)).body.error.code).toBe('INVALID_VIDEO_URL');
    expect(sim.control.calls().filter((c) => c.path.includes('ZMloop'))).toHaveLength(5);
    // an unknown short link
    await add('https://vm.tiktok.com/ZMnothere/').expect(400);
  });

  it('refuses non-TikTok URLs (400) and videos of another account (422)', async () => {
    const { sim } = env;
    for (const bad of ['https://www.youtube.com/watch?v=123', 'https://tiktok.com.evil.com/@a/video/7109065174526479622', 'hello', 'https://www.tiktok.com/@urlshop']) {
      expect((await add(bad).expect(400)).body.error.code).toBe('INVALID_VIDEO_URL');
    }
    await add(42).expect(400);
    const other = sim.control.addAccount({ username: 'someoneelse' });
    const theirs = sim.control.addVideo(other.openId, {});
    expect((await add(`https://www.tiktok.com/@someoneelse/video/${theirs.itemId}`).expect(422)).body.error.code).toBe('VIDEO_NOT_IN_ACCOUNT');
    // auditors may not, other tenants see a 404
    await request(env.t.url).post(`/api/v1/integrations/tiktok/${id}/videos`).set('authorization', `Bearer ${env.t.token({ tenant: 'acme', roles: ['auditor'] })}`).send({ url: 'x' }).expect(403);
    await request(env.t.url).post(`/api/v1/integrations/tiktok/${id}/videos`).set('authorization', `Bearer ${env.t.token({ tenant: 'globex' })}`).send({ url: `https://www.tiktok.com/@a/video/${theirs.itemId}` }).expect(404);
  });
});
