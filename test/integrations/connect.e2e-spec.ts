import request from 'supertest';
import { startAppWithSimulator } from '../support/tiktok';
import type { TestApp } from '../support/app';
import type { RunningSimulator } from '../../src/sandbox/tiktok-simulator';
import { asSuperuser } from '../support/database';
import { authorize, callback, connectAccount, startConnect } from '../factories/connect';
import { eventually } from '../support/eventually';

describe('connecting a TikTok account', () => {
  let t: TestApp;
  let sim: RunningSimulator;
  let close: () => Promise<void>;
  let openId: string;
  const admin = () => t.token({ sub: 'ada', tenant: 'acme', roles: ['admin'] });

  beforeAll(async () => {
    ({ t, sim, close } = await startAppWithSimulator());
    openId = sim.control.addAccount({ username: 'brand.one', displayName: 'Brand One' }).openId;
  });
  afterAll(async () => close?.());
  /** the `check` of the last "callback connected nothing" log line */
  const lastStateCheck = (): string | undefined => {
    const line = t.logs.filter((l) => l.includes('callback connected nothing')).at(-1);
    return line ? (JSON.parse(line) as { check?: string }).check : undefined;
  };

  it('policies list the four policies, a version digest and the scopes', async () => {
    const r = await request(t.url).get('/api/v1/integrations/tiktok/policies').set('authorization', `Bearer ${admin()}`).expect(200);
    expect(r.body.policies.map((p: { id: string }) => p.id)).toEqual(['tiktok-terms', 'tiktok-privacy', 'echo-terms', 'echo-privacy']);
    expect(r.body.policyVersion).toMatch(/^[0-9a-f]{16}$/);
    expect(r.body.scopes).toEqual(['user.info.basic', 'video.list', 'comment.list', 'comment.list.manage']);
  });

  it('refuses a connect without acceptance, or against a stale version', async () => {
    const r1 = await request(t.url).post('/api/v1/integrations/tiktok/connect').set('authorization', `Bearer ${admin()}`).send({ policyVersion: 'x' });
    expect(r1.status).toBe(400);
    expect(r1.body.error.code).toBe('POLICIES_NOT_ACCEPTED');
    const r2 = await request(t.url)
      .post('/api/v1/integrations/tiktok/connect')
      .set('authorization', `Bearer ${admin()}`)
      .send({ acceptPolicies: true, policyVersion: 'stale' });
    expect(r2.status).toBe(409);
    expect(r2.body.error.code).toBe('POLICY_VERSION_CHANGED');
    const agent = await request(t.url)
      .post('/api/v1/integrations/tiktok/connect')
      .set('authorization', `Bearer ${t.token({ roles: ['agent'] })}`)
      .send({ acceptPolicies: true, policyVersion: 'x' });
    expect(agent.status).toBe(403);
  });

  it('happy path: policies, OAuth, an active integration listed with the username, acceptance in the log', async () => {
    const s = await startConnect(t, admin());
    const url = new URL(s.authorizeUrl);
    expect(url.searchParams.get('client_key')).toBe(sim.clientKey);
    expect(url.searchParams.get('scope')).toBe('user.info.basic,video.list,comment.list,comment.list.manage');
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('redirect_uri')).toBe(t.config.tiktok.redirectUri);
    expect(s.cookie).toMatch(/^tt_oauth_[0-9a-f]{16}=/);
    sim.control.setAuthorizeDecision({ mode: 'approve', openId });
    const back = await authorize(s.authorizeUrl);
    const res = await callback(t, back.searchParams, s.cookie);
    expect(res.error).toBeNull();
    expect(res.location.startsWith('http://admin.test/admin/integrations/tiktok?connected=')).toBe(true);
    const list = await request(t.url).get('/api/v1/integrations/tiktok').set('authorization', `Bearer ${admin()}`).expect(200);
    const item = list.body.items.find((i: { id: string }) => i.id === res.connectedId);
    expect(item).toMatchObject({ tiktokAccountId: openId, username: 'brand.one', status: 'active', missingScopes: [], connectedBy: 'ada' });
    expect(item.sync).toMatchObject({ stage: 'backfill' });
    await t.app.get((await import('@shared/event-log/sealer')).Sealer).drain();
    const ev = await request(t.url).get('/api/v1/events?type=tiktok.policies.accepted').set('authorization', `Bearer ${admin()}`).expect(200);
    const acc = ev.body.items.at(-1);
    expect(acc.actor).toEqual({ type: 'user', id: 'ada' });
    expect(acc.data.policies).toHaveLength(4);
    expect(acc.data.userAgent).toBe('jest-browser/1.0');
    expect(typeof acc.data.clientIp).toBe('string');
    const con = await request(t.url).get('/api/v1/events?type=tiktok.integration.connected').set('authorization', `Bearer ${admin()}`).expect(200);
    expect(con.body.items.some((e: { data: { integrationId: string } }) => e.data.integrationId === res.connectedId)).toBe(true);
  });

  it('a state is single use, and bound to the browser that asked for it', async () => {
    sim.control.setAuthorizeDecision({ mode: 'approve', openId });
    const s = await startConnect(t, admin());
    const back = await authorize(s.authorizeUrl);
    const foreign = await callback(t, back.searchParams); // no cookie: another browser
    expect(foreign).toMatchObject({ error: 'STATE_INVALID', connectedId: null });
    expect(lastStateCheck()).toMatch(/cookie for this state is missing/);
    const other = await callback(t, back.searchParams, s.cookie.replace(/=[^;]*/, '=another-nonce'));
    expect(other.error).toBe('STATE_INVALID');
    expect(lastStateCheck()).toMatch(/cookie does not match/);
    const ok = await callback(t, back.searchParams, s.cookie);
    expect(ok.error).toBeNull();
    const again = await callback(t, back.searchParams, s.cookie);
    expect(again.error).toBe('STATE_INVALID');
    expect(lastStateCheck()).toMatch(/used already/);
    const unknown = await callback(t, new URLSearchParams({ code: 'x', state: 'nope' }), s.cookie);
    expect(unknown.error).toBe('STATE_INVALID');
    expect(lastStateCheck()).toMatch(/unknown/);
  });

  it('20 parallel callbacks for one account in one tenant all land on the one integration', async () => {
    const acct = sim.control.addAccount({ username: 'racer' });
    sim.control.setAuthorizeDecision({ mode: 'approve', openId: acct.openId });
    const starts = await Promise.all(Array.from({ length: 20 }, () => startConnect(t, admin())));
    const backs = await Promise.all(starts.map((s) => authorize(s.authorizeUrl)));
    // all 20 reach the insert of the new integration together: a lock that lets their look-up by
    // account pass (nothing found) and holds their inserts until every one waits there
    const results = await asSuperuser(t.testDb, async (c) => {
      await c.query('begin');
      await c.query('lock table tiktok_integration in share row exclusive mode');
      const pending = Promise.all(backs.map((back, i) => callback(t, back.searchParams, starts[i].cookie)));
      await eventually(
        async () => {
          const waiting = await asSuperuser(t.testDb, (w) =>
            w.query(`select count(*)::int as n from pg_locks where relation = 'tiktok_integration'::regclass and not granted`),
          );
          expect(waiting.rows[0].n).toBe(20);
        },
        { timeoutMs: 30_000 },
      );
      await c.query('commit');
      return pending;
    });
    expect(results.map((r) => r.error)).toEqual(results.map(() => null));
    expect(new Set(results.map((r) => r.connectedId)).size).toBe(1);
    const list = await request(t.url).get('/api/v1/integrations/tiktok').set('authorization', `Bearer ${admin()}`).expect(200);
    expect(list.body.items.filter((i: { tiktokAccountId: string }) => i.tiktokAccountId === acct.openId)).toHaveLength(1);
  });

  it('an expired state connects nothing', async () => {
    const s = await startConnect(t, admin());
    await asSuperuser(t.testDb, (c) => c.query(`update oauth_state set expires_at = now() - interval '1 second'`));
    sim.control.setAuthorizeDecision({ mode: 'approve', openId });
    const back = await authorize(s.authorizeUrl);
    expect((await callback(t, back.searchParams, s.cookie)).error).toBe('STATE_INVALID');
    expect(lastStateCheck()).toMatch(/expired/);
  });

  it('TikTok denial, failed exchange and failed profile each end on the admin page with their code', async () => {
    sim.control.setAuthorizeDecision({ mode: 'deny', openId });
    let s = await startConnect(t, admin());
    expect((await callback(t, (await authorize(s.authorizeUrl)).searchParams, s.cookie)).error).toBe('ACCESS_DENIED');

    sim.control.setAuthorizeDecision({ mode: 'approve', openId });
    s = await startConnect(t, admin());
    sim.control.failNext({ path: 'tt_user/oauth2/token/', code: 40101 });
    expect((await callback(t, (await authorize(s.authorizeUrl)).searchParams, s.cookie)).error).toBe('TOKEN_EXCHANGE_FAILED');

    s = await startConnect(t, admin());
    sim.control.failNext({ path: 'business/get/', code: 40001 });
    expect((await callback(t, (await authorize(s.authorizeUrl)).searchParams, s.cookie)).error).toBe('PROFILE_FAILED');
  });

  it('fewer scopes connect as reauth_required with missingScopes', async () => {
    const other = sim.control.addAccount({ username: 'partial.one' }).openId;
    const res = await connectAccount(t, sim, other, admin(), ['user.info.basic', 'video.list', 'comment.list']);
    expect(res.error).toBe('SCOPES_MISSING');
    expect(res.connectedId).toBeTruthy();
    const i = await request(t.url).get(`/api/v1/integrations/tiktok/${res.connectedId}`).set('authorization', `Bearer ${admin()}`).expect(200);
    expect(i.body).toMatchObject({ status: 'reauth_required', missingScopes: ['comment.list.manage'] });
  });

  it('two tenants connect one account; each sees its own; revoke only when the last one disconnects', async () => {
    const shared = sim.control.addAccount({ username: 'shared.brand' }).openId;
    const globex = () => t.token({ sub: 'gus', tenant: 'globex', roles: ['admin'] });
    const a = await connectAccount(t, sim, shared, admin());
    const b = await connectAccount(t, sim, shared, globex());
    expect(a.connectedId).not.toBe(b.connectedId);
    const listB = await request(t.url).get('/api/v1/integrations/tiktok').set('authorization', `Bearer ${globex()}`).expect(200);
    expect(listB.body.items.map((i: { id: string }) => i.id)).toEqual([b.connectedId]);
    await request(t.url).get(`/api/v1/integrations/tiktok/${a.connectedId}`).set('authorization', `Bearer ${globex()}`).expect(404);

    const before = sim.control.revokeCalls().length;
    await request(t.url).delete(`/api/v1/integrations/tiktok/${a.connectedId}`).set('authorization', `Bearer ${admin()}`).expect(204);
    expect(sim.control.revokeCalls().length).toBe(before);
    const gone = await request(t.url).get(`/api/v1/integrations/tiktok/${a.connectedId}`).set('authorization', `Bearer ${admin()}`).expect(200);
    expect(gone.body.status).toBe('disconnected');
    await request(t.url).delete(`/api/v1/integrations/tiktok/${b.connectedId}`).set('authorization', `Bearer ${globex()}`).expect(204);
    expect(sim.control.revokeCalls().length).toBe(before + 1);

    // Reconnecting brings the same integration back.
    const again = await connectAccount(t, sim, shared, admin());
    expect(again.connectedId).toBe(a.connectedId);
    const back = await request(t.url).get(`/api/v1/integrations/tiktok/${a.connectedId}`).set('authorization', `Bearer ${admin()}`).expect(200);
    expect(back.body.status).toBe('active');
  });

  it('agents see only integrations shared with them through a permission set', async () => {
    const acct = sim.control.addAccount({ username: 'agent.view' }).openId;
    const c = await connectAccount(t, sim, acct, admin());
    const agent = () => t.token({ sub: 'alice', tenant: 'acme', roles: ['agent'] });
    let list = await request(t.url).get('/api/v1/integrations/tiktok').set('authorization', `Bearer ${agent()}`).expect(200);
    expect(list.body.items).toEqual([]);
    await request(t.url).get(`/api/v1/integrations/tiktok/${c.connectedId}`).set('authorization', `Bearer ${agent()}`).expect(404);
    const set = await request(t.url).post('/api/v1/permission-sets').set('authorization', `Bearer ${admin()}`).send({ name: 'Support team' }).expect(201);
    await request(t.url).put(`/api/v1/permission-sets/${set.body.id}/integrations/${c.connectedId}`).set('authorization', `Bearer ${admin()}`).expect(204);
    await request(t.url).put(`/api/v1/permission-sets/${set.body.id}/members/alice`).set('authorization', `Bearer ${admin()}`).expect(204);
    list = await request(t.url).get('/api/v1/integrations/tiktok').set('authorization', `Bearer ${agent()}`).expect(200);
    expect(list.body.items.map((i: { id: string; permissionSetIds: string[] }) => [i.id, i.permissionSetIds])).toEqual([[c.connectedId, [set.body.id]]]);
    await request(t.url).delete(`/api/v1/integrations/tiktok/${c.connectedId}`).set('authorization', `Bearer ${agent()}`).expect(403);
    await request(t.url).get('/api/v1/integrations/tiktok').set('authorization', `Bearer ${t.token({ roles: ['auditor'] })}`).expect(403);
  });
});
