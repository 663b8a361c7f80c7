import { startCommentStream, seedDemoAccount } from './demo';
import { startSandbox } from './sandbox-mode';
import { callSimulator } from './simulator-client';
import { RunningSimulator, startTikTokSimulator } from './tiktok-simulator';

describe('demo data and sandbox mode', () => {
  let sim: RunningSimulator;

  afterEach(async () => {
    await sim?.close();
  });

  it('seeds echo.demo with videos over past weeks and comments with replies', async () => {
    sim = await startTikTokSimulator({ rateLimit: { enabled: false } });
    const { account, videos } = seedDemoAccount(sim.control, { videos: 30, comments: 300 });
    expect(account.username).toBe('echo.demo');
    expect(videos).toHaveLength(30);
    const nowS = Date.now() / 1000;
    const times = videos.map((v) => v.createTime);
    expect(Math.min(...times)).toBeLessThan(nowS - 21 * 86_400);
    expect(Math.max(...times)).toBeLessThanOrEqual(nowS);
    const all = videos.flatMap((v) => sim.control.getComments(account.openId, v.itemId));
    expect(all).toHaveLength(300);
    const replies = all.filter((c) => c.parentCommentId);
    expect(replies.length).toBeGreaterThan(30);
    expect(replies.some((r) => r.owner)).toBe(true);
    const token = sim.control.grantTokens(account.openId).accessToken;
    const page = await callSimulator(
      sim,
      'GET',
      'business/video/list/',
      { business_id: account.openId, max_count: 20 },
      { accessToken: token },
    );
    expect((page.data.videos as unknown[]).length).toBe(20);
  });

  it("streams fan comments on the profile's videos, never on an unlisted one", async () => {
    sim = await startTikTokSimulator();
    const openId = sim.control.addAccount({ username: 'two.videos' }).openId;
    const listed = sim.control.addVideo(openId, { createTime: 1_700_000_000 });
    const unlisted = sim.control.addVideo(openId, { createTime: 1_700_000_100, listed: false });
    const stop = startCommentStream(sim.control, openId, { intervalMs: 10, seed: 7 });
    await new Promise((r) => setTimeout(r, 150));
    stop();
    expect(sim.control.getComments(openId, listed.itemId).length).toBeGreaterThanOrEqual(6);
    expect(sim.control.getComments(openId, unlisted.itemId)).toEqual([]);
  });

  it('streams new fan comments on recent videos until stopped', async () => {
    sim = await startTikTokSimulator();
    const { account } = seedDemoAccount(sim.control, { videos: 6, comments: 10 });
    const count = (): number =>
      sim.control
        .listVideos(account.openId)
        .reduce((n, v) => n + sim.control.getComments(account.openId, v.itemId).length, 0);
    const stop = startCommentStream(sim.control, account.openId, { intervalMs: 20 });
    await new Promise((r) => setTimeout(r, 130));
    stop();
    const after = count();
    expect(after).toBeGreaterThanOrEqual(13);
    await new Promise((r) => setTimeout(r, 60));
    expect(count()).toBe(after);
  });

  it('sandbox mode seeds, and attach points webhooks at the service', async () => {
    const logs: string[] = [];
    const sandbox = await startSandbox({
      logger: { info: (_o, m) => logs.push(m ?? '') },
      streamIntervalMs: 0,
    });
    sim = sandbox.simulator;
    expect(sim.control.account(sandbox.demoOpenId)?.username).toBe('echo.demo');
    sandbox.attach({ serviceUrl: 'http://127.0.0.1:3000' });
    expect(sim.control.webhookSubscription()?.callbackUrl).toBe(
      'http://127.0.0.1:3000/api/v1/webhooks/tiktok',
    );
    expect(logs.length).toBe(2);
    await sandbox.stop();
  });
});

describe('control helpers', () => {
  let sim: RunningSimulator;
  afterEach(async () => {
    await sim.close();
  });

  it('accepts both hide/delete/getVideo call forms', async () => {
    sim = await startTikTokSimulator();
    const openId = sim.control.addAccount({ username: 'a' }).openId;
    const v = sim.control.addVideo(openId);
    const c1 = sim.control.addComment(openId, v.itemId, { text: 'one' });
    const c2 = sim.control.addComment(openId, v.itemId, { text: 'two' });
    sim.control.hideComment(c1.commentId);
    sim.control.hideComment(openId, v.itemId, c2.commentId);
    expect(sim.control.getComments(openId, v.itemId).map((c) => c.status)).toEqual([
      'HIDDEN',
      'HIDDEN',
    ]);
    sim.control.hideComment(c1.commentId, false);
    expect(sim.control.getComment(c1.commentId)?.status).toBe('PUBLIC');
    sim.control.deleteComment(openId, v.itemId, c2.commentId);
    expect(sim.control.getComments(openId, v.itemId).map((c) => c.commentId)).toEqual([
      c1.commentId,
    ]);
    expect(sim.control.getVideo(v.itemId)?.itemId).toBe(v.itemId);
    expect(sim.control.getVideo(openId, v.itemId)?.itemId).toBe(v.itemId);
    expect(sim.control.getVideo('someone-else', v.itemId)).toBeUndefined();
  });
});
