import { mkdtempSync, readFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { freePort } from '@shared/database/embedded-postgres';
import { ServiceProcess } from '../support/service-process';
import { eventually } from '../support/eventually';

/** What a browser does on the simulator's consent page: submit its form with Allow. */
async function clickAllow(authorizeUrl: string): Promise<URL> {
  const page = await fetch(authorizeUrl);
  const html = await page.text();
  expect(html).toContain('Allow');
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.set(m[1]!, m[2]!.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
  }
  form.set('decision', 'allow');
  const res = await fetch(new URL('/v2/auth/authorize/decide/', authorizeUrl), { method: 'POST', body: form, redirect: 'manual' });
  return new URL(res.headers.get('location')!);
}

describe('npm start with no TikTok settings: sandbox mode on an embedded PostgreSQL, as a real process', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'echo-sandbox-'));
  chmodSync(dataDir, 0o755);
  let svc: ServiceProcess;
  let port: number;

  const env = () => ({
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    NODE_ENV: 'development',
    SANDBOX_COMMENT_INTERVAL_MS: '1000',
    SYNC_INTERVAL_SECONDS: '2',
  });
  const token = () => {
    const secrets = JSON.parse(readFileSync(path.join(dataDir, 'dev-secrets.json'), 'utf8')) as { AUTH_JWT_SECRET: string };
    return jwt.sign({ sub: 'newcomer', tenant: 'acme', roles: ['admin'] }, secrets.AUTH_JWT_SECRET, { algorithm: 'HS256', expiresIn: 600 });
  };

  beforeAll(async () => {
    port = await freePort();
  });
  afterAll(async () => {
    await svc?.signal('SIGKILL');
  });

  it('starts, says it is in sandbox mode, serves ready, and connects the demo account through the consent page', async () => {
    svc = new ServiceProcess(env());
    await svc.start();
    expect(svc.output.join('')).toMatch(/SANDBOX MODE/);
    await request(svc.url).get('/health/ready').expect(200);
    const auth = `Bearer ${token()}`;
    const pol = await request(svc.url).get('/api/v1/integrations/tiktok/policies').set('authorization', auth).expect(200);
    const started = await request(svc.url)
      .post('/api/v1/integrations/tiktok/connect')
      .set('authorization', auth)
      .send({ acceptPolicies: true, policyVersion: pol.body.policyVersion })
      .expect(201);
    const cookie = ([] as string[]).concat(started.headers['set-cookie']).map((c) => c.split(';')[0]).join('; ');
    const back = await clickAllow(started.body.authorizeUrl);
    expect(`${back.origin}${back.pathname}`).toBe(`http://localhost:${port}/api/v1/integrations/tiktok/callback`);
    const cb = await request(svc.url).get(`${back.pathname}${back.search}`).set('cookie', cookie).expect(302);
    const done = new URL(String(cb.headers.location));
    expect(done.searchParams.get('error')).toBeNull();
    const id = done.searchParams.get('connected');
    const list = await request(svc.url).get('/api/v1/integrations/tiktok').set('authorization', auth).expect(200);
    expect(list.body.items).toEqual([expect.objectContaining({ id, username: 'echo.demo', status: 'active' })]);

    // The demo account's comments come in by themselves (backfill), then new ones keep arriving.
    const firstIds = await eventually(
      async () => {
        const r = await request(svc.url).get(`/api/v1/comments?integrationId=${id}&limit=200`).set('authorization', auth).expect(200);
        expect(r.body.items.length).toBeGreaterThan(20);
        return new Set<string>(r.body.items.map((c: { id: string }) => c.id));
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    await eventually(
      async () => {
        const r = await request(svc.url).get(`/api/v1/comments?integrationId=${id}&limit=20`).set('authorization', auth).expect(200);
        const fresh = r.body.items.filter((c: { id: string; fromAccount: boolean }) => !firstIds.has(c.id) && !c.fromAccount);
        expect(fresh.length).toBeGreaterThan(0);
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  });

  // how long a start takes is a bench figure, not a test's: a loaded CI machine would fail a clock
  it('SIGTERM stops it cleanly (exit 0, before the forced kill); a second start on the same DATA_DIR keeps the data', async () => {
    const stop = await svc.signal('SIGTERM');
    expect(stop.code).toBe(0);
    svc = new ServiceProcess(env());
    await svc.start();
    const list = await request(svc.url).get('/api/v1/integrations/tiktok').set('authorization', `Bearer ${token()}`).expect(200);
    expect(list.body.items.map((i: { username: string }) => i.username)).toEqual(['echo.demo']);
    const stop2 = await svc.signal('SIGTERM');
    expect(stop2.code).toBe(0);
  });
});
