import { callSimulator, connectViaOAuth } from './simulator-client';
import { RunningSimulator, startTikTokSimulator } from './tiktok-simulator';

const REDIRECT = 'https://app.example.test/integrations/tiktok/callback/';
const SCOPES = ['user.info.basic', 'video.list', 'comment.list', 'comment.list.manage'];

describe('TikTok simulator: OAuth', () => {
  let sim: RunningSimulator;
  let clock: number;
  let openId: string;

  beforeEach(async () => {
    clock = Date.UTC(2025, 0, 1);
    sim = await startTikTokSimulator({ rateLimit: { enabled: false }, now: () => clock });
    openId = sim.control.addAccount({ username: 'echo.demo', displayName: 'Echo Demo' }).openId;
  });

  afterEach(async () => {
    await sim.close();
  });

  function authorizeUrl(overrides: Record<string, string> = {}): string {
    const u = new URL(sim.authorizeUrl);
    const q = {
      client_key: sim.clientKey,
      scope: SCOPES.join(','),
      response_type: 'code',
      redirect_uri: REDIRECT,
      state: 'xyz',
      ...overrides,
    };
    for (const [k, v] of Object.entries(q)) u.searchParams.set(k, v);
    return u.toString();
  }

  async function authorize(overrides: Record<string, string> = {}): Promise<URL> {
    const res = await fetch(authorizeUrl(overrides), { redirect: 'manual' });
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location') ?? '');
  }

  function exchange(code: string, redirectUri = REDIRECT, extra: Record<string, unknown> = {}) {
    return callSimulator(sim, 'POST', 'tt_user/oauth2/token/', {
      client_id: sim.clientKey,
      client_secret: sim.clientSecret,
      grant_type: 'authorization_code',
      auth_code: code,
      redirect_uri: redirectUri,
      ...extra,
    });
  }

  function refresh(refreshToken: string, extra: Record<string, unknown> = {}) {
    return callSimulator(sim, 'POST', 'tt_user/oauth2/refresh_token/', {
      client_id: sim.clientKey,
      client_secret: sim.clientSecret,
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      ...extra,
    });
  }

  it('renders the manual consent page with app, account, scopes and buttons', async () => {
    const res = await fetch(authorizeUrl());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain(sim.clientKey);
    expect(html).toContain('@echo.demo');
    for (const s of SCOPES) expect(html).toContain(`data-scope="${s}"`);
    expect(html).toContain('action="/v2/auth/authorize/decide/"');
    expect(html).toMatch(/<button[^>]*value="allow"/);
    expect(html).toMatch(/<button[^>]*value="deny"/);
  });

  it('lets the visitor pick the account when several exist', async () => {
    const second = sim.control.addAccount({ username: 'second.acct' }).openId;
    const html = await (await fetch(authorizeUrl())).text();
    expect(html).toContain('name="open_id"');
    expect(html).toContain(`value="${second}"`);
    expect(html).toContain('@second.acct');
  });

  it('refuses a wrong client_key with an HTML error page', async () => {
    const res = await fetch(authorizeUrl({ client_key: 'someone-else' }));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('client_key');
  });

  it('the consent form redirects with a code on Allow and an error on Deny', async () => {
    const form = (decision: string) =>
      fetch(`${sim.origin}/v2/auth/authorize/decide/`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_key: sim.clientKey,
          scope: 'video.list,comment.list',
          redirect_uri: REDIRECT,
          state: 's1',
          open_id: openId,
          decision,
        }),
      });
    const allow = new URL((await form('allow')).headers.get('location') ?? '');
    expect(allow.origin + allow.pathname).toBe(REDIRECT);
    expect(allow.searchParams.get('state')).toBe('s1');
    expect(allow.searchParams.get('scopes')).toBe('video.list,comment.list');
    const code = allow.searchParams.get('code') ?? '';
    expect((await exchange(code)).data.open_id).toBe(openId);
    const deny = new URL((await form('deny')).headers.get('location') ?? '');
    expect(deny.searchParams.get('error')).toBe('access_denied');
    expect(deny.searchParams.get('state')).toBe('s1');
  });

  it('approve, deny and partial-scope decisions redirect immediately', async () => {
    sim.control.setAuthorizeDecision({ mode: 'approve' });
    const ok = await authorize();
    expect(ok.searchParams.get('code')).toBeTruthy();
    expect(ok.searchParams.get('scopes')).toBe(SCOPES.join(','));
    expect(ok.searchParams.get('state')).toBe('xyz');

    sim.control.setAuthorizeDecision({ mode: 'deny' });
    const denied = await authorize();
    expect(denied.searchParams.get('error')).toBe('access_denied');
    expect(denied.searchParams.get('error_description')).toBeTruthy();
    expect(denied.searchParams.get('code')).toBeNull();
    expect(denied.searchParams.get('state')).toBe('xyz');

    sim.control.setAuthorizeDecision({
      mode: 'approve',
      grantScopes: ['user.info.basic', 'comment.list'],
    });
    const partial = await authorize();
    expect(partial.searchParams.get('scopes')).toBe('user.info.basic,comment.list');
    const tokens = await exchange(partial.searchParams.get('code') ?? '');
    expect(tokens.data.scope).toBe('user.info.basic,comment.list');
    const videos = await callSimulator(
      sim,
      'GET',
      'business/video/list/',
      { business_id: openId },
      { accessToken: tokens.data.access_token as string },
    );
    expect(videos.code).toBe(40001);
  });

  it('exchanges a code once, with the TikTok token shape', async () => {
    sim.control.setAuthorizeDecision({ mode: 'approve' });
    const code = (await authorize()).searchParams.get('code') ?? '';
    const first = await exchange(code);
    expect(first.code).toBe(0);
    expect(first.data).toMatchObject({
      token_type: 'Bearer',
      scope: SCOPES.join(','),
      expires_in: 86400,
      refresh_token_expires_in: 31536000,
      open_id: openId,
    });
    expect(first.data.access_token).toMatch(/^act\./);
    expect(first.data.refresh_token).toMatch(/^rft\./);
    expect((await exchange(code)).code).toBe(40110);
    expect((await exchange('unknown-code')).code).toBe(40101);
  });

  it('refuses expired codes, a different redirect_uri, bad secrets and grant types', async () => {
    sim.control.setAuthorizeDecision({ mode: 'approve' });
    const c1 = (await authorize()).searchParams.get('code') ?? '';
    clock += 601_000;
    expect((await exchange(c1)).code).toBe(40101);
    const c2 = (await authorize()).searchParams.get('code') ?? '';
    expect((await exchange(c2, 'https://evil.example/cb/')).code).toBe(40101);
    expect((await exchange(c2, REDIRECT, { client_secret: 'wrong' })).code).toBe(40113);
    expect((await exchange(c2, REDIRECT, { grant_type: 'password' })).code).toBe(40108);
    expect((await exchange(c2)).code).toBe(0);
  });

  it('rotates the refresh token and shrinks its lifetime; old access tokens keep working', async () => {
    const first = await connectViaOAuth(sim);
    clock += 3_600_000;
    const second = await refresh(first.refresh_token);
    expect(second.code).toBe(0);
    expect(second.data.refresh_token).not.toBe(first.refresh_token);
    expect(second.data.access_token).not.toBe(first.access_token);
    expect(second.data.refresh_token_expires_in).toBe(31_536_000 - 3600);
    expect(second.data.expires_in).toBe(86400);
    expect((await refresh(first.refresh_token)).code).toBe(40107);
    expect((await refresh(second.data.refresh_token as string)).code).toBe(0);
    for (const t of [first.access_token, second.data.access_token as string]) {
      const me = await callSimulator(
        sim,
        'GET',
        'business/get/',
        { business_id: openId },
        { accessToken: t },
      );
      expect(me.code).toBe(0);
    }
  });

  it('answers 40103 for an expired refresh token and 40107 after revoke', async () => {
    const t = await connectViaOAuth(sim);
    sim.control.expireRefreshTokens(openId);
    expect((await refresh(t.refresh_token)).code).toBe(40103);
    const t2 = await connectViaOAuth(sim);
    sim.control.revokeGrants(openId);
    expect((await refresh(t2.refresh_token)).code).toBe(40107);
    expect((await refresh('rft.unknown')).code).toBe(40107);
  });

  it('revoke endpoint revokes every token of the account and is recorded', async () => {
    const t = await connectViaOAuth(sim);
    const res = await callSimulator(sim, 'POST', 'tt_user/oauth2/revoke/', {
      client_id: sim.clientKey,
      client_secret: sim.clientSecret,
      access_token: t.access_token,
    });
    expect(res).toMatchObject({ code: 0, data: {} });
    expect(sim.control.revokeCalls()).toEqual([
      expect.objectContaining({ openId, accessToken: t.access_token }),
    ]);
    const me = await callSimulator(
      sim,
      'GET',
      'business/get/',
      { business_id: openId },
      { accessToken: t.access_token },
    );
    expect(me.code).toBe(40105);
    expect((await refresh(t.refresh_token)).code).toBe(40107);
    expect(sim.control.account(openId)?.grantedScopes).toBeNull();
  });

  it('serves short links as redirects, including chains', async () => {
    const canonical = 'https://www.tiktok.com/@echo.demo/video/7109065174526479622';
    sim.control.addShortLink({
      host: 'vm.tiktok.com',
      path: '/ZMabc123/',
      location: `${sim.shortLinkBase}www.tiktok.com/t/ZMxyz/`,
    });
    sim.control.addShortLink({
      host: 'www.tiktok.com',
      path: '/t/ZMxyz/',
      location: canonical,
      status: 302,
    });
    const hop1 = await fetch(`${sim.shortLinkBase}vm.tiktok.com/ZMabc123/`, { redirect: 'manual' });
    expect(hop1.status).toBe(301);
    const hop2 = await fetch(hop1.headers.get('location') ?? '', { redirect: 'manual' });
    expect(hop2.status).toBe(302);
    expect(hop2.headers.get('location')).toBe(canonical);
    expect(
      (await fetch(`${sim.shortLinkBase}vt.tiktok.com/unknown/`, { redirect: 'manual' })).status,
    ).toBe(404);
  });
});
