import { callSimulator } from './simulator-client';
import { RunningSimulator, startTikTokSimulator } from './tiktok-simulator';

describe("sandbox control: the TikTok account owner's actions", () => {
  let sim: RunningSimulator;
  let openId: string;
  let token: string;

  const api = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await fetch(`${sim.origin}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are asserted field by field
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const tiktok = (method: 'GET' | 'POST', path: string, params: Record<string, unknown>) =>
    callSimulator(sim, method, path, { business_id: openId, ...params }, { accessToken: token });
  const listedIds = async () =>
    (
      (await tiktok('GET', 'business/video/list/', { max_count: 20 })).data.videos as {
        item_id: string;
      }[]
    ).map((v) => v.item_id);

  beforeEach(async () => {
    sim = await startTikTokSimulator({ rateLimit: { enabled: false } });
    openId = sim.control.addAccount({ username: 'owner.one', displayName: 'Owner' }).openId;
    sim.control.addVideo(openId, { caption: 'already there' });
    token = sim.control.grantTokens(openId).accessToken;
  });
  afterEach(async () => {
    await sim.close();
  });

  it('lists the accounts with their app access', async () => {
    const res = await api('GET', '/sandbox/api/accounts');
    expect(res).toEqual({
      status: 200,
      body: {
        accounts: [expect.objectContaining({ openId, username: 'owner.one', appAuthorized: true })],
      },
    });
  });

  it('posts an unlisted video: missing from plain video/list pages, found by filters.video_ids', async () => {
    const unlisted = await api('POST', `/sandbox/api/accounts/${openId}/videos`, {
      caption: 'secret drop',
      listed: false,
    });
    expect(unlisted.status).toBe(201);
    const id = unlisted.body.video.videoId as string;
    expect(unlisted.body.video).toMatchObject({
      listed: false,
      caption: 'secret drop',
      shareUrl: `https://www.tiktok.com/@owner.one/video/${id}`,
    });
    const listed = await api('POST', `/sandbox/api/accounts/${openId}/videos`, {
      caption: 'public drop',
    });
    expect(listed.body.video.listed).toBe(true);

    const plain = await listedIds();
    expect(plain).toContain(listed.body.video.videoId);
    expect(plain).not.toContain(id);
    const byId = await tiktok('GET', 'business/video/list/', {
      filters: { video_ids: [id] },
      fields: ['item_id', 'caption'],
    });
    expect(byId.data.videos).toEqual([{ item_id: id, caption: 'secret drop' }]);
    // the owner's own listing shows both
    const mine = await api('GET', `/sandbox/api/accounts/${openId}/videos`);
    expect((mine.body.videos as { videoId: string }[]).map((v) => v.videoId)).toEqual(
      expect.arrayContaining([id, listed.body.video.videoId]),
    );
  });

  it('posts fan comments and replies, and the account answering in the app, as TikTok lists them', async () => {
    const videoId = sim.control.listVideos(openId)[0].itemId;
    const fan = await api('POST', `/sandbox/api/videos/${videoId}/comments`, {
      text: 'love it',
      username: 'fan.one',
    });
    expect(fan.status).toBe(201);
    const commentId = fan.body.comment.commentId as string;
    const reply = await api('POST', `/sandbox/api/videos/${videoId}/comments`, {
      text: 'me too',
      username: 'fan.two',
      parentCommentId: commentId,
    });
    const own = await api('POST', `/sandbox/api/videos/${videoId}/comments`, {
      text: 'thanks!',
      asAccount: true,
      parentCommentId: commentId,
    });
    expect(own.body.comment).toMatchObject({
      fromAccount: true,
      username: 'owner.one',
      parentCommentId: commentId,
    });

    const list = await tiktok('GET', 'business/comment/list/', {
      video_id: videoId,
      include_replies: true,
    });
    const [top] = list.data.comments as { reply_list: Record<string, unknown>[] }[];
    expect(top).toMatchObject({
      comment_id: commentId,
      text: 'love it',
      username: 'fan.one',
      owner: false,
      replies: 2,
    });
    expect(
      (top.reply_list as Record<string, unknown>[]).map((r) => [r.comment_id, r.owner]),
    ).toEqual([
      [own.body.comment.commentId, true],
      [reply.body.comment.commentId, false],
    ]);
  });

  it('hides, unhides and deletes a comment "in the app", and TikTok answers accordingly', async () => {
    const videoId = sim.control.listVideos(openId)[0].itemId;
    const c = (await api('POST', `/sandbox/api/videos/${videoId}/comments`, { text: 'spam spam' }))
      .body.comment as { commentId: string };
    const publicIds = async () =>
      (
        (await tiktok('GET', 'business/comment/list/', { video_id: videoId, status: 'PUBLIC' }))
          .data.comments as { comment_id: string }[]
      ).map((x) => x.comment_id);

    expect(
      (await api('POST', `/sandbox/api/comments/${c.commentId}/hide`)).body.comment.status,
    ).toBe('HIDDEN');
    expect(await publicIds()).toEqual([]);
    const all = await tiktok('GET', 'business/comment/list/', { video_id: videoId, status: 'ALL' });
    expect(all.data.comments).toEqual([
      expect.objectContaining({ comment_id: c.commentId, status: 'HIDDEN' }),
    ]);
    await api('POST', `/sandbox/api/comments/${c.commentId}/unhide`);
    expect(await publicIds()).toEqual([c.commentId]);

    expect((await api('POST', `/sandbox/api/comments/${c.commentId}/delete`)).status).toBe(200);
    const byId = await tiktok('GET', 'business/comment/list/', {
      video_id: videoId,
      comment_ids: [c.commentId],
    });
    expect(byId.data.comments).toEqual([]);
    expect(await api('POST', `/sandbox/api/comments/${c.commentId}/hide`)).toEqual({
      status: 404,
      body: { error: { code: 'NOT_FOUND', message: 'No such comment' } },
    });
  });

  it("revokes the app's access: its tokens are refused and the account shows no grant", async () => {
    expect((await tiktok('GET', 'business/get/', {})).code).toBe(0);
    const res = await api('POST', `/sandbox/api/accounts/${openId}/revoke`);
    expect(res.body.account).toMatchObject({ appAuthorized: false, grantedScopes: [] });
    expect((await tiktok('GET', 'business/get/', {})).code).toBe(40105);
  });

  it("refuses a browser's post from another site, accepts the control page's own", async () => {
    const post = (origin: string) =>
      fetch(`${sim.origin}/sandbox/api/accounts/${openId}/revoke`, {
        method: 'POST',
        headers: { origin, 'content-type': 'text/plain' },
        body: '{}',
      });
    const evil = await post('https://evil.example');
    expect(evil.status).toBe(403);
    expect(sim.control.account(openId)?.grantedScopes).not.toBeNull();
    expect((await post(sim.origin)).status).toBe(200);
    expect(sim.control.account(openId)?.grantedScopes).toBeNull();
  });

  it('answers bad requests with a 4xx and a reason, never a 500', async () => {
    const videoId = sim.control.listVideos(openId)[0].itemId;
    expect(await api('POST', `/sandbox/api/videos/${videoId}/comments`, { text: '  ' })).toEqual({
      status: 400,
      body: { error: { code: 'INVALID', message: 'text is required' } },
    });
    expect(
      (
        await api('POST', `/sandbox/api/videos/${videoId}/comments`, {
          text: 'x',
          parentCommentId: '7000',
        })
      ).status,
    ).toBe(404);
    expect((await api('POST', `/sandbox/api/videos/7000/comments`, { text: 'x' })).status).toBe(
      404,
    );
    expect((await api('POST', `/sandbox/api/accounts/nobody/videos`, {})).status).toBe(404);
    expect(
      (await api('POST', `/sandbox/api/accounts/${openId}/videos`, { listed: 'maybe' })).status,
    ).toBe(400);
    expect((await api('GET', `/sandbox/api/accounts/${openId}/revoke`)).status).toBe(405);
    expect((await api('POST', '/sandbox/api/comments/%E0%A4%A/hide')).status).toBe(404);
    const notJson = await fetch(`${sim.origin}/sandbox/api/accounts/${openId}/videos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(notJson.status).toBe(400);
  });

  it('serves a control page whose every control has a label, and whose forms come back to it', async () => {
    const videoId = sim.control.listVideos(openId)[0].itemId;
    sim.control.addComment(openId, videoId, { text: 'hello <b>there</b>', username: 'fan.html' });
    const res = await fetch(
      `${sim.origin}/sandbox/?account=${encodeURIComponent(openId)}&video=${videoId}`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('hello &lt;b&gt;there&lt;/b&gt;');
    const ids = [...html.matchAll(/<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*>/g)].map(
      (m) => /id="([^"]+)"/.exec(m[0])?.[1],
    );
    expect(ids.length).toBeGreaterThanOrEqual(7);
    for (const id of ids) expect(html).toContain(`<label for="${id}">`);
    const buttons = [...html.matchAll(/<button[^>]*>([^<]*)<\/button>/g)];
    expect(buttons.length).toBeGreaterThanOrEqual(6);
    for (const b of buttons) expect(b[1]?.trim()).not.toBe('');
    for (const action of [
      'Post video',
      'Post as a fan',
      'Post as @owner.one',
      'Hide',
      'Delete',
      'Revoke the app&#39;s access',
    ])
      expect(html).toContain(`>${action}</button>`);

    // a browser's form post: the action happens and the page comes back with what happened
    const here = `/sandbox/?account=${encodeURIComponent(openId)}&video=${videoId}`;
    const post = await fetch(`${sim.origin}/sandbox/api/accounts/${openId}/videos`, {
      method: 'POST',
      body: new URLSearchParams({ caption: 'from the form', listed: 'false', return_to: here }),
      redirect: 'manual',
    });
    expect(post.status).toBe(303);
    const back = new URL(post.headers.get('location')!, sim.origin);
    expect(back.pathname).toBe('/sandbox/');
    expect(back.searchParams.get('video')).toBe(videoId);
    expect(back.searchParams.get('done')).toMatch(
      /^Posted an unlisted video: https:\/\/www\.tiktok\.com\/@owner\.one\/video\/\d+$/,
    );
    expect(sim.control.listVideos(openId).find((v) => v.caption === 'from the form')?.listed).toBe(
      false,
    );
    // an error comes back too, and return_to never leaves the page
    const bad = await fetch(`${sim.origin}/sandbox/api/videos/${videoId}/comments`, {
      method: 'POST',
      body: new URLSearchParams({ text: '', return_to: 'https://evil.example/' }),
      redirect: 'manual',
    });
    expect(bad.headers.get('location')).toBe('/sandbox/?error=text+is+required');
  });
});
