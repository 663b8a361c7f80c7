import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { freePort } from '@shared/database/embedded-postgres';
import { TEST_JWT_SECRET, TEST_SIGNING_KEY, TEST_TOKEN_KEY } from '../support/app';
import { clickAllow, logLine } from '../support/consent-page';
import { asSuperuser, createTestDatabase, type TestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { ServiceProcess } from '../support/service-process';

interface IntegrationView {
  id: string;
  username: string | null;
  status: string;
  lastSyncedAt: string | null;
  sync: { stage: string; videosBackfilled: number };
}

/**
 * `npm start` in sandbox mode, stopped and started again on the same DATA_DIR (once with SIGTERM,
 * once with SIGKILL): the simulator's state is kept there, so the demo account keeps its open_id,
 * video ids and the tokens Echo holds, and the demo integration stays `active`. The database is
 * the test's (DATABASE_URL), so that a SIGKILL leaves no embedded PostgreSQL behind.
 */
describe('sandbox mode survives a restart of the service', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'echo-sandbox-restart-'));
  chmodSync(dataDir, 0o755);
  let db: TestDatabase;
  let svc: ServiceProcess | undefined;
  let port: number;
  let integrationId: string;
  let videoIds: string[];

  const start = async (): Promise<{ svc: ServiceProcess; startedAt: number }> => {
    const startedAt = Date.now();
    svc = new ServiceProcess({
      NODE_ENV: 'development',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: db.url,
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      TOKEN_ENCRYPTION_KEY: TEST_TOKEN_KEY,
      AUDIT_SIGNING_KEY: TEST_SIGNING_KEY,
      LOG_LEVEL: 'info',
      SANDBOX_COMMENT_INTERVAL_MS: '1000',
      SYNC_INTERVAL_SECONDS: '1',
    });
    await svc.start();
    return { svc, startedAt };
  };
  const auth = `Bearer ${jwt.sign({ sub: 'newcomer', tenant: 'acme', roles: ['admin'] }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: 3600 })}`;
  const get = (s: ServiceProcess, url: string) => request(s.url).get(url).set('authorization', auth).expect(200);
  const integrations = async (s: ServiceProcess): Promise<IntegrationView[]> => (await get(s, '/api/v1/integrations/tiktok')).body.items as IntegrationView[];
  const storedVideoIds = async (s: ServiceProcess): Promise<string[]> =>
    ((await get(s, `/api/v1/integrations/tiktok/${integrationId}/videos?limit=100`)).body.items as { tiktokVideoId: string }[]).map((v) => v.tiktokVideoId).sort();
  const controlUrl = (s: ServiceProcess): string => String(logLine(s.output, 'ready')?.sandboxControl);

  /** The consent page as a browser would go through it, from Echo's connect to its callback. */
  const connect = async (s: ServiceProcess): Promise<string> => {
    const pol = await get(s, '/api/v1/integrations/tiktok/policies');
    const started = await request(s.url)
      .post('/api/v1/integrations/tiktok/connect')
      .set('authorization', auth)
      .send({ acceptPolicies: true, policyVersion: pol.body.policyVersion })
      .expect(201);
    const cookie = ([] as string[]).concat(started.headers['set-cookie']).map((c) => c.split(';')[0]).join('; ');
    const back = await clickAllow(started.body.authorizeUrl as string);
    // the callback goes to the host the ready line printed, so the connect's cookie comes back with it
    expect(back.origin).toBe(s.url);
    const cb = await request(s.url).get(`${back.pathname}${back.search}`).set('cookie', cookie).expect(302);
    const done = new URL(String(cb.headers.location));
    expect(done.searchParams.get('error')).toBeNull();
    return String(done.searchParams.get('connected'));
  };

  /** After a restart: a sync run has completed since, and the integration is still the one, `active`, with the same videos. */
  const stillActiveAfter = async (s: ServiceProcess, startedAt: number): Promise<void> => {
    await eventually(
      async () => {
        const [one] = await integrations(s);
        expect(one?.status).toBe('active');
        expect(Date.parse(one?.lastSyncedAt ?? '')).toBeGreaterThan(startedAt);
      },
      // a run may wait for TikTok's rate budget, which the previous instance used too
      { timeoutMs: 90_000, intervalMs: 250 },
    );
    // without the kept state, the first TikTok call of that run failed and the integration turned
    // reauth_required (REFRESH_REJECTED) instead
    const list = await integrations(s);
    expect(list).toEqual([expect.objectContaining({ id: integrationId, username: 'echo.demo', status: 'active' })]);
    const reauth = await get(s, `/api/v1/events?type=tiktok.integration.reauth-required&integrationId=${integrationId}`);
    expect(reauth.body.items).toEqual([]);
    expect(await storedVideoIds(s)).toEqual(videoIds);
    // the simulator lists the very same ids
    const accounts = (await (await fetch(`${controlUrl(s)}api/accounts`)).json()) as { accounts: { openId: string; username: string }[] };
    expect(accounts.accounts.map((a) => a.username)).toEqual(['echo.demo']);
    const simVideos = (await (await fetch(`${controlUrl(s)}api/accounts/${accounts.accounts[0]!.openId}/videos`)).json()) as { videos: { videoId: string }[] };
    expect(simVideos.videos.map((v) => v.videoId).sort()).toEqual(videoIds);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    port = await freePort();
  });
  afterAll(async () => {
    await svc?.signal('SIGKILL');
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the URL of the redirect host and the control page; the demo account connects and backfills', async () => {
    const { svc: s } = await start();
    // TIKTOK_REDIRECT_URI defaults to localhost: the ready line says that host, not 127.0.0.1
    expect(s.url).toBe(`http://localhost:${port}`);
    const ready = logLine(s.output, 'ready');
    expect(String(ready?.openAt)).toContain('STATE_INVALID');
    expect(ready?.sandboxControl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sandbox\/$/);
    expect(String(logLine(s.output, 'TikTok simulator started')?.msg)).toContain(String(ready?.sandboxControl));
    expect((await fetch(controlUrl(s))).headers.get('content-type')).toContain('text/html');

    integrationId = await connect(s);
    await eventually(
      async () => {
        const [one] = await integrations(s);
        expect(one?.sync).toMatchObject({ stage: 'live', videosBackfilled: 30 });
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    videoIds = await storedVideoIds(s);
    expect(videoIds).toHaveLength(30);
  }, 120_000);

  it('after SIGTERM and a new start on the same DATA_DIR the integration stays active with the same ids', async () => {
    const stop = await svc!.signal('SIGTERM');
    expect(stop.code).toBe(0);
    const { svc: s, startedAt } = await start();
    await stillActiveAfter(s, startedAt);
    // the fans keep commenting after the restart, and the comments reach Echo
    const before = new Set(((await get(s, `/api/v1/comments?integrationId=${integrationId}&limit=50`)).body.items as { id: string }[]).map((c) => c.id));
    await eventually(
      async () => {
        const now = (await get(s, `/api/v1/comments?integrationId=${integrationId}&limit=50`)).body.items as { id: string; fromAccount: boolean }[];
        expect(now.filter((c) => !before.has(c.id) && !c.fromAccount).length).toBeGreaterThan(0);
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
  }, 120_000);

  it('after SIGKILL too; connecting the demo account again reconnects the same integration', async () => {
    await svc!.signal('SIGKILL');
    svc = undefined;
    const { svc: s, startedAt } = await start();
    // the killed instance's sync lease holds for 90 s (test/sync/crash): let it lapse rather than wait
    await asSuperuser(db, (c) => c.query(`update tiktok_integration set lease_until = now() - interval '1 second' where id = $1`, [integrationId]));
    await stillActiveAfter(s, startedAt);
    expect(await connect(s)).toBe(integrationId);
    expect((await integrations(s)).map((i) => i.username)).toEqual(['echo.demo']);
  }, 120_000);

  it('the account owner posts an unlisted video on the control routes: the sync does not list it, "add video by URL" answers 201', async () => {
    const s = svc!;
    const control = controlUrl(s);
    const { accounts } = (await (await fetch(`${control}api/accounts`)).json()) as { accounts: { openId: string }[] };
    const post = async (body: object) => {
      const res = await fetch(`${control}api/accounts/${accounts[0]!.openId}/videos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status).toBe(201);
      return ((await res.json()) as { video: { videoId: string; shareUrl: string } }).video;
    };
    const video = await post({ caption: 'only with the link', listed: false });
    const listed = await post({ caption: 'for everyone' });

    // the sync stores the listed one, posted after it, and still not the unlisted one
    await eventually(async () => expect(await storedVideoIds(s)).toContain(listed.videoId), { timeoutMs: 90_000, intervalMs: 500 });
    expect(await storedVideoIds(s)).not.toContain(video.videoId);

    const added = await request(s.url).post(`/api/v1/integrations/tiktok/${integrationId}/videos`).set('authorization', auth).send({ url: video.shareUrl }).expect(201);
    expect(added.body).toMatchObject({ tiktokVideoId: video.videoId, caption: 'only with the link', source: 'url' });
    await request(s.url).post(`/api/v1/integrations/tiktok/${integrationId}/videos`).set('authorization', auth).send({ url: video.shareUrl }).expect(200);

    // and when the owner revokes the app in TikTok, Echo sees it
    expect((await fetch(`${control}api/accounts/${accounts[0]!.openId}/revoke`, { method: 'POST' })).status).toBe(200);
    await eventually(async () => expect((await integrations(s))[0]?.status).toBe('reauth_required'), { timeoutMs: 90_000, intervalMs: 250 });
    const stop = await s.signal('SIGTERM');
    expect(stop.code).toBe(0);
    svc = undefined;
  }, 120_000);
});
