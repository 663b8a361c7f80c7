import request from 'supertest';
import type { RunningSimulator } from '../../src/sandbox/tiktok-simulator';
import type { TestApp } from '../support/app';

export interface ConnectResult {
  /** the admin-page URL the callback redirected to */
  location: string;
  connectedId: string | null;
  error: string | null;
}

/** Starts a connect as `token`'s admin: returns the authorize URL, the state and the nonce cookie. */
export async function startConnect(t: TestApp, token: string): Promise<{ authorizeUrl: string; state: string; cookie: string }> {
  const pol = await request(t.url).get('/api/v1/integrations/tiktok/policies').set('authorization', `Bearer ${token}`).expect(200);
  const res = await request(t.url)
    .post('/api/v1/integrations/tiktok/connect')
    .set('authorization', `Bearer ${token}`)
    .set('user-agent', 'jest-browser/1.0')
    .send({ acceptPolicies: true, policyVersion: pol.body.policyVersion })
    .expect(201);
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const cookie = setCookie.map((c) => c.split(';')[0]).join('; ');
  return { authorizeUrl: res.body.authorizeUrl, state: res.body.state, cookie };
}

/** Asks the simulator's authorize page (decision preset by the test) where it sends the browser. */
export async function authorize(authorizeUrl: string): Promise<URL> {
  const res = await fetch(authorizeUrl, { redirect: 'manual' });
  const loc = res.headers.get('location');
  if (!loc) throw new Error(`authorize page answered ${res.status} without a redirect`);
  return new URL(loc);
}

/** Sends the browser back to our callback with the query TikTok gave it. */
export async function callback(t: TestApp, query: URLSearchParams, cookie?: string): Promise<ConnectResult> {
  const req = request(t.url).get(`/api/v1/integrations/tiktok/callback?${query.toString()}`);
  if (cookie) req.set('cookie', cookie);
  const res = await req;
  if (res.status !== 302) throw new Error(`callback answered ${res.status}`);
  const location = String(res.headers.location);
  const u = new URL(location);
  return { location, connectedId: u.searchParams.get('connected'), error: u.searchParams.get('error') };
}

/** The whole happy path for one account: returns the integration id. */
export async function connectAccount(t: TestApp, sim: RunningSimulator, openId: string, token: string, grantScopes?: string[]): Promise<ConnectResult> {
  sim.control.setAuthorizeDecision({ mode: 'approve', openId, grantScopes });
  const s = await startConnect(t, token);
  const back = await authorize(s.authorizeUrl);
  return callback(t, back.searchParams, s.cookie);
}
