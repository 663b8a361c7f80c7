import { callSimulator } from './simulator-client';
import { RunningSimulator, startTikTokSimulator } from './tiktok-simulator';

describe('TikTok simulator: HTTP conventions', () => {
  let sim: RunningSimulator;
  let openId: string;
  let token: string;
  let clock: number;

  beforeEach(async () => {
    clock = Date.UTC(2025, 5, 1);
    sim = await startTikTokSimulator({ rateLimit: { enabled: false }, now: () => clock });
    openId = sim.control.addAccount({ username: 'maker', displayName: 'Maker' }).openId;
    token = sim.control.grantTokens(openId).accessToken;
  });

  afterEach(async () => {
    await sim.close();
  });

  it('exposes its URLs on 127.0.0.1', () => {
    expect(sim.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.apiBaseUrl).toBe(`${sim.origin}/open_api/v1.3/`);
    expect(sim.authorizeUrl).toBe(`${sim.origin}/v2/auth/authorize/`);
    expect(sim.shortLinkBase).toBe(`${sim.origin}/__short/`);
  });

  it('answers a known path without its trailing slash with a real 404', async () => {
    const res = await fetch(`${sim.apiBaseUrl}business/get?business_id=${openId}`, {
      headers: { 'access-token': token },
    });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).not.toContain('json');
    const ok = await callSimulator(
      sim,
      'GET',
      'business/get/',
      { business_id: openId },
      { accessToken: token },
    );
    expect(ok.status).toBe(200);
    expect(ok.code).toBe(0);
  });

  it('answers unknown paths 404 and wrong methods 405', async () => {
    expect((await fetch(`${sim.apiBaseUrl}business/nope/`)).status).toBe(404);
    expect((await fetch(`${sim.origin}/elsewhere`)).status).toBe(404);
    const res = await fetch(`${sim.apiBaseUrl}business/get/`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(405);
  });

  it('wraps answers in the envelope with a unique request_id', async () => {
    const a = await callSimulator(
      sim,
      'GET',
      'business/get/',
      { business_id: openId },
      { accessToken: token },
    );
    const b = await callSimulator(
      sim,
      'GET',
      'business/get/',
      { business_id: openId },
      { accessToken: token },
    );
    expect(a).toMatchObject({ status: 200, code: 0, message: 'OK' });
    expect(a.requestId).toMatch(/^\d{14}[0-9A-F]+$/);
    expect(a.requestId).not.toBe(b.requestId);
  });

  it('checks the Access-Token header: missing 40104, unknown 40105, expired 40102, revoked 40105', async () => {
    const q = { business_id: openId };
    expect((await callSimulator(sim, 'GET', 'business/get/', q)).code).toBe(40104);
    const bearer = await fetch(`${sim.apiBaseUrl}business/get/?business_id=${openId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await bearer.json()) as { code: number }).code).toBe(40104);
    expect(
      (await callSimulator(sim, 'GET', 'business/get/', q, { accessToken: 'act.nope' })).code,
    ).toBe(40105);
    sim.control.expireAccessTokens(openId);
    const expired = await callSimulator(sim, 'GET', 'business/get/', q, { accessToken: token });
    expect(expired).toMatchObject({ status: 200, code: 40102 });
    const fresh = sim.control.grantTokens(openId).accessToken;
    sim.control.revokeGrants(openId);
    expect((await callSimulator(sim, 'GET', 'business/get/', q, { accessToken: fresh })).code).toBe(
      40105,
    );
  });

  it('expires access tokens by the clock', async () => {
    clock += 86_400_000 + 1;
    const res = await callSimulator(
      sim,
      'GET',
      'business/get/',
      { business_id: openId },
      { accessToken: token },
    );
    expect(res.code).toBe(40102);
  });

  it('refuses a business_id other than the token account with 40001', async () => {
    const other = sim.control.addAccount({ username: 'other' }).openId;
    const res = await callSimulator(
      sim,
      'GET',
      'business/get/',
      { business_id: other },
      { accessToken: token },
    );
    expect(res.code).toBe(40001);
    const video = sim.control.addVideo(other);
    const post = await callSimulator(
      sim,
      'POST',
      'business/comment/create/',
      { business_id: other, video_id: video.itemId, text: 'hi' },
      { accessToken: token },
    );
    expect(post.code).toBe(40001);
  });

  it('refuses an endpoint whose scope was not granted with 40001', async () => {
    const limited = sim.control.grantTokens(openId, ['user.info.basic']).accessToken;
    const videos = await callSimulator(
      sim,
      'GET',
      'business/video/list/',
      { business_id: openId },
      { accessToken: limited },
    );
    expect(videos.code).toBe(40001);
    const me = await callSimulator(
      sim,
      'GET',
      'business/get/',
      { business_id: openId },
      { accessToken: limited },
    );
    expect(me.code).toBe(0);
  });

  it('returns only the asked business fields and leaves out a null username', async () => {
    const def = await callSimulator(
      sim,
      'GET',
      'business/get/',
      { business_id: openId },
      { accessToken: token },
    );
    expect(Object.keys(def.data).sort()).toEqual(['display_name', 'profile_image']);
    const asked = await callSimulator(
      sim,
      'GET',
      'business/get/',
      { business_id: openId, fields: ['username', 'display_name'] },
      { accessToken: token },
    );
    expect(asked.data).toEqual({ username: 'maker', display_name: 'Maker' });
    const anon = sim.control.addAccount({ username: null, displayName: 'No Name' }).openId;
    const anonToken = sim.control.grantTokens(anon).accessToken;
    const res = await callSimulator(
      sim,
      'GET',
      'business/get/',
      { business_id: anon, fields: ['username', 'display_name'] },
      { accessToken: anonToken },
    );
    expect(res.data).toEqual({ display_name: 'No Name' });
  });

  it('parses JSON-text query arrays and refuses malformed ones with 40002', async () => {
    const url = `${sim.apiBaseUrl}business/get/?business_id=${encodeURIComponent(openId)}&fields=${encodeURIComponent('["username"]')}`;
    const ok = (await (await fetch(url, { headers: { 'access-token': token } })).json()) as {
      code: number;
      data: unknown;
    };
    expect(ok).toMatchObject({ code: 0, data: { username: 'maker' } });
    for (const fields of ['[username]', '"username"', '{"a":1}', '[1]']) {
      const res = await callSimulator(
        sim,
        'GET',
        'business/get/',
        { business_id: openId, fields },
        { accessToken: token },
      );
      expect(res.code).toBe(40002);
    }
  });

  it('failNext answers a TikTok code or an HTTP status, for the matching path only', async () => {
    sim.control.failNext({ path: 'business/video/list/', code: 50000 });
    sim.control.failNext({ path: 'business/get/', httpStatus: 503, count: 2 });
    const q = { business_id: openId };
    const videos = await callSimulator(sim, 'GET', 'business/video/list/', q, {
      accessToken: token,
    });
    expect(videos).toMatchObject({ status: 200, code: 50000 });
    expect(
      (await callSimulator(sim, 'GET', 'business/video/list/', q, { accessToken: token })).code,
    ).toBe(0);
    expect(
      (await callSimulator(sim, 'GET', 'business/get/', q, { accessToken: token })).status,
    ).toBe(503);
    expect(
      (await callSimulator(sim, 'GET', 'business/get/', q, { accessToken: token })).status,
    ).toBe(503);
    expect((await callSimulator(sim, 'GET', 'business/get/', q, { accessToken: token })).code).toBe(
      0,
    );
    expect(sim.control.calls({ path: 'business/get/' }).map((c) => c.code)).toEqual([503, 503, 0]);
  });

  it('hangNext never answers, before or after the effect', async () => {
    const video = sim.control.addVideo(openId);
    const parent = sim.control.addComment(openId, video.itemId, {
      text: 'love it',
      username: 'fan',
    });
    const body = {
      business_id: openId,
      video_id: video.itemId,
      comment_id: parent.commentId,
      text: 'thanks!',
    };
    const post = (): Promise<unknown> =>
      callSimulator(sim, 'POST', 'business/comment/reply/create/', body, {
        accessToken: token,
        signal: AbortSignal.timeout(300),
      });

    sim.control.hangNext({ path: 'business/comment/reply/create/' });
    await expect(post()).rejects.toThrow();
    expect(sim.control.getComments(openId, video.itemId)).toHaveLength(1);

    sim.control.hangNext({ path: 'business/comment/reply/create/', afterEffect: true });
    await expect(post()).rejects.toThrow();
    const after = sim.control.getComments(openId, video.itemId);
    expect(after).toHaveLength(2);
    expect(after[0]).toMatchObject({
      text: 'thanks!',
      owner: true,
      parentCommentId: parent.commentId,
    });
    expect(
      sim.control.calls({ path: 'business/comment/reply/create/' }).map((c) => c.code),
    ).toEqual([undefined, undefined]);
  });

  it('close() ends hung requests instead of waiting for them', async () => {
    sim.control.hangNext();
    const pending = callSimulator(
      sim,
      'GET',
      'business/get/',
      { business_id: openId },
      { accessToken: token },
    );
    const settled = pending.then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await sim.close();
    expect(await settled).toBe('failed');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('records calls with parsed bodies, raw query strings and headers', async () => {
    sim.control.resetCalls();
    await callSimulator(
      sim,
      'GET',
      'business/get/',
      { business_id: openId, fields: ['username'] },
      { accessToken: token },
    );
    await callSimulator(
      sim,
      'POST',
      'business/comment/delete/',
      { business_id: openId, comment_id: '1' },
      { accessToken: token },
    );
    const calls = sim.control.calls();
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({
      method: 'GET',
      path: 'business/get/',
      query: { business_id: openId, fields: '["username"]' },
      code: 0,
      body: undefined,
    });
    expect(calls[0].headers['access-token']).toBe(token);
    expect(calls[1]).toMatchObject({ method: 'POST', body: { comment_id: '1' }, code: 40007 });
  });
});
