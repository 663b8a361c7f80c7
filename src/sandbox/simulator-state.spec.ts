import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seedDemoAccount } from './demo';
import { startSandbox } from './sandbox-mode';
import { callSimulator, connectViaOAuth } from './simulator-client';
import { parseSimulatorState, SimulatorStateFile } from './simulator-state';
import { RunningSimulator, startTikTokSimulator } from './tiktok-simulator';

/** Polls until `check` passes (the store saves shortly after a change, on a timer). */
async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('TikTok simulator: state kept in a file (sandbox mode)', () => {
  let dir: string;
  let file: string;
  const open: RunningSimulator[] = [];
  const start = async (extra: Parameters<typeof startTikTokSimulator>[0] = {}) => {
    const sim = await startTikTokSimulator({
      rateLimit: { enabled: false },
      stateFile: file,
      ...extra,
    });
    open.push(sim);
    return sim;
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sim-state-'));
    file = path.join(dir, 'tiktok-sandbox.json');
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the same account, ids, comments and working tokens after a restart', async () => {
    const first = await start();
    expect(first.restored).toBeNull();
    const { account, videos } = seedDemoAccount(first.control, { videos: 4, comments: 40 });
    const tokens = await connectViaOAuth(first, { openId: account.openId });
    first.control.hideComment(
      first.control.getComments(account.openId, videos[3].itemId)[0]?.commentId ?? '',
    );
    first.control.setWebhookSubscription('http://127.0.0.1:3000/api/v1/webhooks/tiktok');
    const before = videos.map((v) =>
      first.control.getComments(account.openId, v.itemId, { includeDeleted: true }),
    );
    await first.close();

    const second = await start();
    expect(second.restored).toEqual({ file, savedAt: expect.any(Number) as number });
    expect(second.control.listAccounts()).toEqual([
      { ...account, grantedScopes: tokens.scope.split(',') },
    ]);
    expect(second.control.listVideos(account.openId)).toEqual(
      first.control.listVideos(account.openId),
    );
    expect(
      videos.map((v) =>
        second.control.getComments(account.openId, v.itemId, { includeDeleted: true }),
      ),
    ).toEqual(before);
    expect(second.control.webhookSubscription()).toEqual({
      eventType: 'COMMENT',
      callbackUrl: 'http://127.0.0.1:3000/api/v1/webhooks/tiktok',
    });

    // the tokens Echo holds still work: the access token reads, the refresh token rotates once
    const list = await callSimulator(
      second,
      'GET',
      'business/video/list/',
      { business_id: account.openId, max_count: 20 },
      { accessToken: tokens.access_token },
    );
    expect(list.code).toBe(0);
    expect((list.data.videos as { item_id: string }[]).map((v) => v.item_id)).toEqual(
      second.control.listVideos(account.openId).map((v) => v.itemId),
    );
    const refresh = () =>
      callSimulator(second, 'POST', 'tt_user/oauth2/refresh_token/', {
        client_id: second.clientKey,
        client_secret: second.clientSecret,
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
      });
    expect((await refresh()).code).toBe(0);
    expect((await refresh()).code).toBe(40107);

    // new comments continue the restored lists: ids never collide, threads keep their replies
    const top = second.control
      .getComments(account.openId, videos[0].itemId)
      .find((c) => !c.parentCommentId);
    const reply = second.control.addComment(account.openId, videos[0].itemId, {
      text: 'after the restart',
      parentCommentId: top?.commentId,
    });
    expect(before.flat().map((c) => c.commentId)).not.toContain(reply.commentId);
    expect(reply.seq).toBeGreaterThan(Math.max(...before.flat().map((c) => c.seq)));
    const replies = await callSimulator(
      second,
      'GET',
      'business/comment/reply/list/',
      {
        business_id: account.openId,
        video_id: videos[0].itemId,
        comment_id: top?.commentId,
        max_count: 30,
      },
      { accessToken: tokens.access_token },
    );
    expect((replies.data.comments as { comment_id: string }[]).map((c) => c.comment_id)).toContain(
      reply.commentId,
    );
  });

  it('saves shortly after a change without a close, so a killed process loses at most the last moments', async () => {
    const first = await start();
    const openId = first.control.addAccount({ username: 'killed' }).openId;
    const video = first.control.addVideo(openId, { caption: 'before the kill' });
    await until(() => existsSync(file) && readFileSync(file, 'utf8').includes('before the kill'));
    const comment = first.control.addComment(openId, video.itemId, { text: 'last words' });
    await until(() => readFileSync(file, 'utf8').includes('last words'));
    // no close(): as after kill -9, only what is on disk counts
    const second = await start();
    expect(second.control.getComment(comment.commentId)?.text).toBe('last words');
    expect(second.control.getVideo(video.itemId)?.caption).toBe('before the kill');
    // the file is always a complete state: never the temporary file's leftovers
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('moves a damaged file aside with a clear log line and starts fresh instead of failing', async () => {
    writeFileSync(file, '{"version":1,"accounts":[{"openId":');
    const lines: { level: string; msg: string; detail: Record<string, unknown> }[] = [];
    const sim = await start({ log: (level, msg, detail) => lines.push({ level, msg, detail }) });
    expect(sim.restored).toBeNull();
    expect(sim.control.listAccounts()).toEqual([]);
    expect(lines).toEqual([
      {
        level: 'warn',
        msg: 'TikTok simulator state is damaged: moved aside, not used',
        detail: expect.objectContaining({
          file,
          error: expect.stringContaining('not JSON') as string,
        }) as Record<string, unknown>,
      },
    ]);
    expect(readdirSync(dir).some((f) => f.startsWith('tiktok-sandbox.json.corrupt-'))).toBe(true);
    // and it saves a good state again
    sim.control.addAccount({ username: 'fresh' });
    await sim.close();
    expect(parseSimulatorState(readFileSync(file, 'utf8')).accounts.map((a) => a.username)).toEqual(
      ['fresh'],
    );
  });

  it('falls back to the previous good state when the file is damaged or missing (killed between the two renames)', async () => {
    const first = await start();
    const openId = first.control.addAccount({ username: 'kept' }).openId;
    await first.close();
    const second = await start();
    second.control.addVideo(openId, { caption: 'second save' });
    await second.close();
    expect(existsSync(`${file}.bak`)).toBe(true);
    writeFileSync(file, 'garbage');
    const third = await start();
    expect(third.restored?.file).toBe(`${file}.bak`);
    expect(third.control.account(openId)?.username).toBe('kept');
    await third.close();
    expect(parseSimulatorState(readFileSync(file, 'utf8')).accounts).toHaveLength(1);
    rmSync(file);
    const fourth = await start();
    expect(fourth.control.account(openId)?.username).toBe('kept');
  });

  it('refuses a state whose records lack their key fields', () => {
    const good = JSON.stringify({
      version: 1,
      savedAt: 1,
      seq: 0,
      accounts: [],
      videos: [],
      comments: [],
      accessTokens: [],
      refreshTokens: [],
      authCodes: [],
      shortLinks: [],
      subscription: null,
    });
    expect(parseSimulatorState(good).version).toBe(1);
    const bad = (patch: Record<string, unknown>) =>
      JSON.stringify({ ...(JSON.parse(good) as object), ...patch });
    expect(() => parseSimulatorState(bad({ version: 2 }))).toThrow('unknown version 2');
    expect(() =>
      parseSimulatorState(
        bad({ videos: [{ itemId: '7', openId: 'x', createTimeMs: 1, deleted: false }] }),
      ),
    ).toThrow('videos[0].listed');
    expect(() =>
      parseSimulatorState(
        bad({
          accessTokens: [{ token: 't', openId: 'x', scopes: 'all', expiresAt: 1, revoked: false }],
        }),
      ),
    ).toThrow('accessTokens[0].scopes');
    expect(() => parseSimulatorState(bad({ subscription: { callbackUrl: 3 } }))).toThrow(
      'subscription',
    );
    expect(() => parseSimulatorState('[]')).toThrow('not a JSON object');
  });

  it('a save that fails is logged and retried with the next change; the store never throws', async () => {
    const lines: string[] = [];
    const target = path.join(dir, 'state.json');
    // a folder where the temporary file should go makes every write fail
    mkdirSync(`${target}.tmp`);
    const store = new SimulatorStateFile(target, { log: (_l, msg) => lines.push(msg) });
    const sim = await start();
    store.start(() => sim.control.exportState());
    store.changed();
    await store.flush();
    expect(lines).toEqual(['TikTok simulator state not saved']);
    rmSync(`${target}.tmp`, { recursive: true });
    sim.control.addAccount({ username: 'later' });
    store.changed();
    await store.flush();
    expect(lines).toHaveLength(1);
    expect(
      parseSimulatorState(readFileSync(target, 'utf8')).accounts.map((a) => a.username),
    ).toEqual(['later']);
  });
});

describe('sandbox mode with a data folder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-mode-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('seeds the demo account once; a restart finds it with the same open_id and videos', async () => {
    const logs: { o: Record<string, unknown>; m?: string }[] = [];
    const logger = {
      info: (o: object, m?: string) => logs.push({ o: o as Record<string, unknown>, m }),
    };
    const first = await startSandbox({
      logger,
      streamIntervalMs: 0,
      dataDir: dir,
      seed: { videos: 5, comments: 20 },
    });
    const videos = first.simulator.control.listVideos(first.demoOpenId).map((v) => v.itemId);
    first.attach({ serviceUrl: 'http://127.0.0.1:3000' });
    await first.stop();
    expect(logs[0]?.m).toContain(`${first.simulator.origin}/sandbox/`);
    expect(logs[0]?.o).toMatchObject({
      controlPage: `${first.simulator.origin}/sandbox/`,
      state: expect.stringMatching(/^new, kept in /) as string,
    });

    const second = await startSandbox({
      logger,
      streamIntervalMs: 0,
      dataDir: dir,
      seed: { videos: 5, comments: 20 },
    });
    expect(second.demoOpenId).toBe(first.demoOpenId);
    expect(second.simulator.control.listAccounts()).toHaveLength(1);
    expect(second.simulator.control.listVideos(second.demoOpenId).map((v) => v.itemId)).toEqual(
      videos,
    );
    expect(logs.at(-1)?.o).toMatchObject({
      state: expect.stringMatching(/^restored from /) as string,
    });
    // the sandbox's own subscription follows the service to its new address...
    second.attach({ serviceUrl: 'http://127.0.0.1:3999' });
    expect(second.simulator.control.webhookSubscription()?.callbackUrl).toBe(
      'http://127.0.0.1:3999/api/v1/webhooks/tiktok',
    );
    await second.stop();

    // ...while one the service made itself (TIKTOK_WEBHOOK_URL) is kept
    const third = await startSandbox({ logger, streamIntervalMs: 0, dataDir: dir });
    const set = await callSimulator(third.simulator, 'POST', 'business/webhook/update/', {
      app_id: third.simulator.clientKey,
      secret: third.simulator.clientSecret,
      event_type: 'COMMENT',
      callback_url: 'https://echo.example.test/hook',
    });
    expect(set.code).toBe(0);
    await third.stop();
    const fourth = await startSandbox({ logger, streamIntervalMs: 0, dataDir: dir });
    fourth.attach({ serviceUrl: 'http://127.0.0.1:4000' });
    expect(fourth.simulator.control.webhookSubscription()?.callbackUrl).toBe(
      'https://echo.example.test/hook',
    );
    await fourth.stop();
  });

  it('without a data folder, every start is a new demo account (tests and benchmarks stay in memory)', async () => {
    const a = await startSandbox({ streamIntervalMs: 0, seed: { videos: 1, comments: 1 } });
    const b = await startSandbox({ streamIntervalMs: 0, seed: { videos: 1, comments: 1 } });
    expect(a.demoOpenId).not.toBe(b.demoOpenId);
    await a.stop();
    await b.stop();
    expect(readdirSync(dir)).toEqual([]);
  });
});
