import type { RunningSimulator } from './tiktok-simulator';

/** A parsed TikTok envelope plus the HTTP status. */
export interface SimAnswer {
  status: number;
  code: number;
  message: string;
  requestId: string;
  data: Record<string, unknown>;
}

/**
 * Small test client for the simulator: GET params go in the query (arrays and
 * objects as JSON text), POST params as a JSON body.
 */
export async function callSimulator(
  sim: Pick<RunningSimulator, 'apiBaseUrl'>,
  method: 'GET' | 'POST',
  path: string,
  params: Record<string, unknown> = {},
  opts: { accessToken?: string; signal?: AbortSignal } = {},
): Promise<SimAnswer> {
  const url = new URL(path, sim.apiBaseUrl);
  const headers: Record<string, string> = {};
  if (opts.accessToken !== undefined) headers['access-token'] = opts.accessToken;
  let body: string | undefined;
  if (method === 'GET') {
    for (const [k, v] of Object.entries(params)) {
      if (v === undefined) continue;
      url.searchParams.set(k, typeof v === 'string' ? v : JSON.stringify(v));
    }
  } else {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(params);
  }
  const res = await fetch(url, { method, headers, body, signal: opts.signal });
  const text = await res.text();
  if (!res.headers.get('content-type')?.includes('application/json')) {
    return { status: res.status, code: -1, message: text, requestId: '', data: {} };
  }
  const json = JSON.parse(text) as {
    code: number;
    message: string;
    request_id: string;
    data: Record<string, unknown>;
  };
  return {
    status: res.status,
    code: json.code,
    message: json.message,
    requestId: json.request_id,
    data: json.data,
  };
}

/**
 * Runs the real browser flow against the simulator (authorize with 'approve',
 * then the token exchange) and returns the token endpoint's `data`.
 */
export async function connectViaOAuth(
  sim: RunningSimulator,
  opts: { openId?: string; scopes?: string[]; grantScopes?: string[]; redirectUri?: string } = {},
): Promise<{
  access_token: string;
  refresh_token: string;
  open_id: string;
  scope: string;
  expires_in: number;
  refresh_token_expires_in: number;
}> {
  const redirectUri = opts.redirectUri ?? 'https://app.example.test/integrations/tiktok/callback/';
  const scopes = opts.scopes ?? [
    'user.info.basic',
    'video.list',
    'comment.list',
    'comment.list.manage',
  ];
  sim.control.setAuthorizeDecision({
    mode: 'approve',
    openId: opts.openId,
    grantScopes: opts.grantScopes,
  });
  const u = new URL(sim.authorizeUrl);
  u.searchParams.set('client_key', sim.clientKey);
  u.searchParams.set('scope', scopes.join(','));
  u.searchParams.set('response_type', 'code');
  u.searchParams.set('redirect_uri', redirectUri);
  u.searchParams.set('state', 'st');
  const res = await fetch(u, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) throw new Error(`authorize answered ${res.status}`);
  const code = new URL(location).searchParams.get('code');
  if (!code) throw new Error(`no code in ${location}`);
  const answer = await callSimulator(sim, 'POST', 'tt_user/oauth2/token/', {
    client_id: sim.clientKey,
    client_secret: sim.clientSecret,
    grant_type: 'authorization_code',
    auth_code: code,
    redirect_uri: redirectUri,
  });
  if (answer.code !== 0) throw new Error(`token exchange answered ${answer.code}`);
  return answer.data as {
    access_token: string;
    refresh_token: string;
    open_id: string;
    scope: string;
    expires_in: number;
    refresh_token_expires_in: number;
  };
}
