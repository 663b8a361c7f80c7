import request from 'supertest';
import { startTikTokSimulator, type RunningSimulator } from '../../src/sandbox/tiktok-simulator';
import { startTestApp, type TestApp } from '../support/app';
import { SseClient } from '../support/sse';
import {
  seedComments,
  seedIntegration,
  seedVideo,
  shareWith,
  type SeededIntegration,
} from '../factories/inbox';

describe('GET /inbox/stream (live inbox lines: ids and kinds only)', () => {
  let sim: RunningSimulator;
  let t: TestApp;
  let shared: SeededIntegration;
  let unshared: SeededIntegration;
  let sharedVideo: { id: string; tiktokVideoId: string };
  let unsharedVideo: { id: string; tiktokVideoId: string };
  let agent: string;
  const base = Math.floor(Date.now() / 1000) - 3600;
  const url = () => `${t.url}/api/v1/inbox/stream`;

  beforeAll(async () => {
    sim = await startTikTokSimulator({ rateLimit: { enabled: false } });
    t = await startTestApp({
      tiktok: {
        apiBaseUrl: sim.apiBaseUrl,
        authorizeUrl: sim.authorizeUrl,
        clientKey: sim.clientKey,
        clientSecret: sim.clientSecret,
      },
    });
    shared = await seedIntegration(t, sim, { username: 'stream_shared' });
    unshared = await seedIntegration(t, sim, { username: 'stream_unshared' });
    sharedVideo = await seedVideo(t, sim, shared, { caption: 'shared', createTime: base });
    unsharedVideo = await seedVideo(t, sim, unshared, { caption: 'unshared', createTime: base });
    await shareWith(t, 'acme', 'agent-s', [shared.id]);
    agent = t.token({ sub: 'agent-s', roles: ['agent'] });
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  it("sends an agent comment.received for a shared integration's new comment and nothing for an unshared one, never the text, resumable", async () => {
    const sse = await SseClient.connect(url(), { authorization: `Bearer ${agent}` });
    expect(sse.status).toBe(200);
    expect(sse.headers?.get('content-type')).toMatch(/^text\/event-stream/);
    // the unshared comment first: if it leaked, it would be the first line
    const [hidden] = await seedComments(t, sim, unshared, unsharedVideo, [
      { text: 'secret unshared text', createTime: base + 1 },
    ]);
    const [seen] = await seedComments(t, sim, shared, sharedVideo, [
      { text: 'secret shared text', createTime: base + 2 },
    ]);
    const [first] = await sse.waitFor(1);
    expect(first!.event).toBe('inbox');
    expect(JSON.parse(first!.data)).toEqual({
      kind: 'comment.received',
      commentId: seen!.id,
      integrationId: shared.id,
      videoId: sharedVideo.id,
    });
    expect(first!.id).toMatch(/^\d+$/);

    // a change (hidden at TikTok, seen by the sync) is comment.changed
    await request(t.url)
      .post(`/api/v1/comments/${seen!.id}/hide`)
      .set('authorization', `Bearer ${agent}`)
      .expect(200);
    const lines = await sse.waitFor(2);
    expect(JSON.parse(lines[1]!.data)).toMatchObject({
      kind: 'comment.changed',
      commentId: seen!.id,
    });
    await sse.close();
    for (const m of sse.messages) {
      expect(m.data).not.toContain('secret');
      expect(m.data).not.toContain(hidden!.id);
      expect(m.data).not.toContain(unshared.id);
    }

    // resumed after the first line: the change again, and a comment that came while disconnected
    const [later] = await seedComments(t, sim, shared, sharedVideo, [
      { text: 'secret while away', createTime: base + 3 },
    ]);
    const again = await SseClient.connect(url(), {
      authorization: `Bearer ${agent}`,
      'last-event-id': first!.id!,
    });
    const resumed = await again.waitFor(2);
    await again.close();
    expect(
      resumed.map((m) => [m.id, JSON.parse(m.data).kind, JSON.parse(m.data).commentId]),
    ).toEqual([
      [lines[1]!.id, 'comment.changed', seen!.id],
      [expect.stringMatching(/^\d+$/), 'comment.received', later!.id],
    ]);
    expect(Number(resumed[1]!.id)).toBeGreaterThan(Number(resumed[0]!.id));
    for (const m of again.messages) expect(m.data).not.toContain('secret');
  });

  it('starts at the newest event without a position, and replays from ?after=0', async () => {
    const live = await SseClient.connect(url(), { authorization: `Bearer ${agent}` });
    const [fresh] = await seedComments(t, sim, shared, sharedVideo, [
      { text: 'fresh', createTime: base + 4 },
    ]);
    const [line] = await live.waitFor(1);
    await live.close();
    expect(JSON.parse(line!.data).commentId).toBe(fresh!.id);
    const replay = await SseClient.connect(`${url()}?after=0`, {
      authorization: `Bearer ${agent}`,
    });
    const all = await replay.waitFor(4); // test 1: two received, one changed; then fresh
    await replay.close();
    expect(all.map((m) => JSON.parse(m.data).commentId)).toContain(fresh!.id);
    expect(JSON.parse(all[0]!.data)).toMatchObject({
      kind: 'comment.received',
      integrationId: shared.id,
    });
  });

  it('refuses auditors (403) and a bad Last-Event-ID (400)', async () => {
    const auditor = t.token({ sub: 'aud-1', roles: ['auditor'] });
    const r = await request(t.url)
      .get('/api/v1/inbox/stream')
      .set('authorization', `Bearer ${auditor}`)
      .expect(403);
    expect(r.body.error.code).toBe('FORBIDDEN');
    const bad = await request(t.url)
      .get('/api/v1/inbox/stream')
      .set('authorization', `Bearer ${agent}`)
      .set('last-event-id', 'x1')
      .expect(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  });
});
