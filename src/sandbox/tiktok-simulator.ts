import { randomBytes } from 'node:crypto';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { ApiError, defaultMessage } from './api-errors';
import { ROUTES, RouteContext, businessIdOf, guardData } from './api-routes';
import { handleOwnerRequest } from './owner-actions';
import { renderConsentPage, renderErrorPage } from './authorize-page';
import { WindowLimit } from './rate-limiter';
import { RecordedCall, SimulatorControl } from './simulator-control';
import { SimulatorStateFile, StateLog } from './simulator-state';
import { WebhookDispatcher } from './webhook-dispatcher';

export { signWebhook } from './webhook-dispatcher';
export type { WebhookDelivery } from './webhook-dispatcher';
export { SimulatorControl } from './simulator-control';
export type {
  AuthorizeDecision,
  RecordedCall,
  SimAccount,
  SimComment,
  SimVideo,
} from './simulator-control';

/** Options of the TikTok simulator. */
export interface SimulatorOptions {
  /** App id / client_key; default 'sandbox-client-key'. */
  clientKey?: string;
  /** App secret; default 'sandbox-client-secret'. */
  clientSecret?: string;
  /** Default 0 (a random free port). */
  port?: number;
  /**
   * Address to listen on; default 127.0.0.1. The origin stays http://127.0.0.1:PORT: in a
   * container, 0.0.0.0 lets a published port reach it from the host's 127.0.0.1:PORT.
   */
  host?: string;
  rateLimit?: {
    enabled?: boolean;
    /** Per (business_id, endpoint) per windowMs; default 40. */
    perAccountEndpoint?: number;
    /** Default 60000. */
    windowMs?: number;
    /** App-wide per windowMs; default 600. */
    appPerWindow?: number;
    /** App-wide in any 1000 ms; default 10. */
    appPerSecond?: number;
  };
  /** Default 86400. */
  accessTokenTtlSeconds?: number;
  /** Default 31536000; the remaining lifetime carries over on refresh. */
  refreshTokenTtlSeconds?: number;
  /** Default 600. */
  authCodeTtlSeconds?: number;
  webhook?: {
    /** Delay before the first attempt; default 0. */
    delayMs?: number;
    /** Extra copies of each delivery; default 0. */
    duplicates?: number;
    /** Attempts per delivery, the first included; default 4. */
    maxAttempts?: number;
    /** First retry backoff (doubles each time); default 100. */
    retryBaseMs?: number;
    /** Per-attempt timeout; default 5000. */
    timeoutMs?: number;
  };
  /** Clock in ms (tokens, codes, create times, rate limits); default Date.now. */
  now?: () => number;
  /**
   * A JSON file that keeps the state across restarts (sandbox mode): loaded at start when it
   * exists, saved shortly after every change and at close. Default: none (in memory only).
   */
  stateFile?: string;
  /** Where the state file reports a damaged file or a failed save. */
  log?: StateLog;
}

/** A running simulator. */
export interface RunningSimulator {
  /** 'http://127.0.0.1:PORT' */
  origin: string;
  /** origin + '/open_api/v1.3/' */
  apiBaseUrl: string;
  /** origin + '/v2/auth/authorize/' */
  authorizeUrl: string;
  /** origin + '/__short/' */
  shortLinkBase: string;
  /** origin + '/sandbox/': the account owner's control page (its JSON routes are under /sandbox/api/) */
  controlUrl: string;
  clientKey: string;
  clientSecret: string;
  control: SimulatorControl;
  /** The state file it started from, or null (no `stateFile`, or none saved yet). */
  restored: { file: string; savedAt: number } | null;
  /** Turns the rate limits on or off while running (benchmarks: load fast, then measure with limits). */
  setRateLimit(enabled: boolean): void;
  /** Closes the server, ends hung requests and cancels webhook timers. */
  close(): Promise<void>;
}

/**
 * The settings that point an Echo instance at a simulator (tests and benchmarks): TikTok's URLs and
 * the app's credentials, the sandbox off. `redirectUri` is the instance's OAuth callback.
 */
export function appEnvFor(
  sim: Pick<RunningSimulator, 'clientKey' | 'clientSecret' | 'apiBaseUrl' | 'authorizeUrl'>,
  redirectUri = 'http://127.0.0.1:3000/api/v1/integrations/tiktok/callback',
): Record<string, string> {
  return {
    TIKTOK_SANDBOX: 'false',
    TIKTOK_CLIENT_KEY: sim.clientKey,
    TIKTOK_CLIENT_SECRET: sim.clientSecret,
    TIKTOK_API_BASE_URL: sim.apiBaseUrl,
    TIKTOK_AUTH_URL: sim.authorizeUrl,
    TIKTOK_REDIRECT_URI: redirectUri,
  };
}

const API_PREFIX = '/open_api/v1.3/';
const MAX_BODY = 1024 * 1024;

interface Limits {
  enabled: boolean;
  perAccountEndpoint: number;
  windowMs: number;
  appPerWindow: number;
  appPerSecond: number;
}

/** Starts the stateful TikTok simulator on 127.0.0.1. */
export async function startTikTokSimulator(opts: SimulatorOptions = {}): Promise<RunningSimulator> {
  const clientKey = opts.clientKey ?? 'sandbox-client-key';
  const clientSecret = opts.clientSecret ?? 'sandbox-client-secret';
  const now = opts.now ?? Date.now;
  const limits: Limits = {
    enabled: opts.rateLimit?.enabled ?? true,
    perAccountEndpoint: opts.rateLimit?.perAccountEndpoint ?? 40,
    windowMs: opts.rateLimit?.windowMs ?? 60_000,
    appPerWindow: opts.rateLimit?.appPerWindow ?? 600,
    appPerSecond: opts.rateLimit?.appPerSecond ?? 10,
  };
  const webhooks = new WebhookDispatcher({
    clientSecret,
    delayMs: opts.webhook?.delayMs ?? 0,
    duplicates: opts.webhook?.duplicates ?? 0,
    maxAttempts: Math.max(2, opts.webhook?.maxAttempts ?? 4),
    retryBaseMs: opts.webhook?.retryBaseMs ?? 100,
    timeoutMs: opts.webhook?.timeoutMs ?? 5000,
    now,
  });
  const control = new SimulatorControl({
    clientKey,
    clientSecret,
    accessTokenTtlSeconds: opts.accessTokenTtlSeconds ?? 86_400,
    refreshTokenTtlSeconds: opts.refreshTokenTtlSeconds ?? 31_536_000,
    authCodeTtlSeconds: opts.authCodeTtlSeconds ?? 600,
    now,
    webhooks,
  });
  let store: SimulatorStateFile | null = null;
  let restored: RunningSimulator['restored'] = null;
  if (opts.stateFile !== undefined) {
    store = new SimulatorStateFile(opts.stateFile, { log: opts.log });
    const loaded = await store.load();
    if (loaded) {
      control.importState(loaded.state);
      restored = { file: loaded.file, savedAt: loaded.state.savedAt };
    }
    const file = store;
    file.start(() => control.exportState());
    control.onChange(() => file.changed());
    // Restored from the previous state (.bak): write the main file again.
    if (loaded && loaded.file !== opts.stateFile) file.changed();
  }
  const hung = new Set<ServerResponse>();
  const app = new SimulatorApp(control, { clientKey, clientSecret, limits, hung });
  const server: Server = createServer((req, res) => {
    app.handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendText(res, 500, `Internal simulator error: ${String(err)}`);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | undefined;
  return {
    origin,
    apiBaseUrl: origin + API_PREFIX,
    authorizeUrl: `${origin}/v2/auth/authorize/`,
    shortLinkBase: `${origin}/__short/`,
    controlUrl: `${origin}/sandbox/`,
    clientKey,
    clientSecret,
    control,
    restored,
    setRateLimit(enabled: boolean) {
      limits.enabled = enabled;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        webhooks.close();
        for (const res of hung) res.destroy();
        hung.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => store?.close());
      return closing;
    },
  };
}

class SimulatorApp {
  constructor(
    private readonly control: SimulatorControl,
    private readonly cfg: {
      clientKey: string;
      clientSecret: string;
      limits: Limits;
      hung: Set<ServerResponse>;
    },
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const headers = headerRecord(req);
    const query = Object.fromEntries(url.searchParams.entries());
    const raw = await readBody(req);
    const pathname = url.pathname;
    const call: RecordedCall = {
      at: this.control.now(),
      method,
      path: pathname.startsWith(API_PREFIX) ? pathname.slice(API_PREFIX.length) : pathname,
      query,
      headers,
      body: undefined,
    };
    this.control.record(call);
    if (raw === null) {
      call.code = 413;
      return sendText(res, 413, 'Payload Too Large');
    }
    if (pathname.startsWith(API_PREFIX)) {
      call.body = parseJson(raw);
      return this.api(res, call, raw);
    }
    if (pathname === '/v2/auth/authorize/' || pathname === '/v2/auth/authorize') {
      if (method !== 'GET') return this.status(res, call, 405, 'Method Not Allowed');
      return this.authorize(res, call, query);
    }
    if (pathname === '/v2/auth/authorize/decide/' || pathname === '/v2/auth/authorize/decide') {
      if (method !== 'POST') return this.status(res, call, 405, 'Method Not Allowed');
      const form = Object.fromEntries(new URLSearchParams(raw).entries());
      call.body = form;
      return this.decide(res, call, form);
    }
    if (pathname.startsWith('/__short/')) {
      if (method !== 'GET' && method !== 'HEAD')
        return this.status(res, call, 405, 'Method Not Allowed');
      return this.shortLink(res, call, pathname.slice('/__short/'.length));
    }
    if (pathname === '/sandbox' || pathname.startsWith('/sandbox/')) {
      const out = handleOwnerRequest(this.control, {
        method,
        pathname,
        query,
        contentType: headers['content-type'] ?? '',
        raw,
        origin: headers.origin,
        host: headers.host,
      });
      if ('location' in out) return this.redirect(res, call, out.status, out.location);
      if ('html' in out) return this.html(res, call, out.status, out.html);
      call.code = out.status;
      res.writeHead(out.status, { 'content-type': 'application/json; charset=utf-8' });
      return void res.end(JSON.stringify(out.json));
    }
    return this.status(res, call, 404, 'Not Found');
  }

  private status(res: ServerResponse, call: RecordedCall, status: number, text: string): void {
    call.code = status;
    sendText(res, status, text);
  }

  private api(res: ServerResponse, call: RecordedCall, raw: string): void {
    const path = call.path;
    const route = Object.prototype.hasOwnProperty.call(ROUTES, path) ? ROUTES[path] : undefined;
    if (!route) return this.status(res, call, 404, 'Not Found');
    if (call.method !== route.method) {
      res.setHeader('allow', route.method);
      return this.status(res, call, 405, 'Method Not Allowed');
    }
    const fail = this.control.takeFailRule(path);
    if (fail) {
      if (fail.httpStatus !== undefined)
        return this.status(res, call, fail.httpStatus, 'Service Unavailable');
      return this.envelope(res, call, fail.code ?? 50000, {});
    }
    const hang = this.control.takeHangRule(path);
    if (hang && !hang.afterEffect) return this.hang(res);
    if (!this.withinRateLimit(route.kind, path, call)) {
      return hang ? this.hang(res) : this.envelope(res, call, 40100, {});
    }
    const ctx: RouteContext = {
      control: this.control,
      settings: { clientKey: this.cfg.clientKey, clientSecret: this.cfg.clientSecret },
      query: call.query,
      body: call.body,
      headers: call.headers,
      openId: '',
    };
    let code = 0;
    let message: string | undefined;
    let data: unknown = {};
    try {
      if (route.method === 'POST' && raw.trim() !== '' && call.body === undefined)
        throw new ApiError(40002, 'Request body is not valid JSON.');
      if (route.kind === 'data') ctx.openId = guardData(ctx, route);
      data = route.handle(ctx);
    } catch (err: unknown) {
      if (!(err instanceof ApiError)) throw err;
      code = err.code;
      message = err.message;
    }
    if (hang) return this.hang(res);
    this.envelope(res, call, code, data, message);
  }

  private withinRateLimit(kind: string, path: string, call: RecordedCall): boolean {
    const l = this.cfg.limits;
    if (!l.enabled || kind === 'oauth') return true;
    const list: WindowLimit[] = [
      { key: 'app:window', max: l.appPerWindow, windowMs: l.windowMs },
      { key: 'app:second', max: l.appPerSecond, windowMs: 1000 },
    ];
    if (kind === 'data') {
      const method = call.method === 'POST' ? 'POST' : 'GET';
      const businessId = businessIdOf(method, call.query, call.body);
      list.push({
        key: `acct:${businessId ?? ''}:${path}`,
        max: l.perAccountEndpoint,
        windowMs: l.windowMs,
      });
    }
    return this.control.limiter.tryAcquire(list, this.control.now());
  }

  private hang(res: ServerResponse): void {
    this.cfg.hung.add(res);
    res.on('close', () => this.cfg.hung.delete(res));
  }

  private envelope(
    res: ServerResponse,
    call: RecordedCall,
    code: number,
    data: unknown,
    message?: string,
  ): void {
    call.code = code;
    const body = JSON.stringify({
      code,
      message: message ?? defaultMessage(code),
      request_id: requestId(this.control.now()),
      data,
    });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(body);
  }

  private authorize(res: ServerResponse, call: RecordedCall, q: Record<string, string>): void {
    const checked = this.checkAuthorizeRequest(q);
    if (typeof checked === 'string') return this.html(res, call, 400, renderErrorPage(checked));
    const decision = this.control.authorizeDecision();
    const accounts = this.control.listAccounts();
    if (decision.mode === 'deny')
      return this.redirectDenied(res, call, checked.redirectUri, checked.state);
    const openId = decision.openId ?? accounts[0]?.openId;
    if (openId === undefined || !this.control.account(openId))
      return this.html(
        res,
        call,
        400,
        renderErrorPage('No TikTok account is logged in on the sandbox.'),
      );
    if (decision.mode === 'approve') return this.redirectApproved(res, call, openId, checked);
    this.html(
      res,
      call,
      200,
      renderConsentPage({
        clientKey: this.cfg.clientKey,
        ...checked,
        accounts,
        selectedOpenId: openId,
      }),
    );
  }

  private decide(res: ServerResponse, call: RecordedCall, form: Record<string, string>): void {
    const checked = this.checkAuthorizeRequest({ ...form, response_type: 'code' });
    if (typeof checked === 'string') return this.html(res, call, 400, renderErrorPage(checked));
    if (form.decision !== 'allow')
      return this.redirectDenied(res, call, checked.redirectUri, checked.state);
    const openId = form.open_id ?? '';
    if (!this.control.account(openId))
      return this.html(res, call, 400, renderErrorPage('Unknown account.'));
    this.redirectApproved(res, call, openId, checked);
  }

  private checkAuthorizeRequest(
    q: Record<string, string>,
  ): { scopes: string[]; redirectUri: string; state: string } | string {
    if (q.client_key !== this.cfg.clientKey) return 'Something went wrong: client_key is invalid.';
    if (q.response_type !== 'code') return 'response_type must be "code".';
    const redirectUri = q.redirect_uri ?? '';
    try {
      const u = new URL(redirectUri);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
    } catch {
      return 'redirect_uri is missing or invalid.';
    }
    const scopes = (q.scope ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (scopes.length === 0) return 'scope is required.';
    return { scopes: [...new Set(scopes)], redirectUri, state: q.state ?? '' };
  }

  private redirectApproved(
    res: ServerResponse,
    call: RecordedCall,
    openId: string,
    req: { scopes: string[]; redirectUri: string; state: string },
  ): void {
    const grant = this.control.authorizeDecision().grantScopes;
    const scopes = grant ? req.scopes.filter((s) => grant.includes(s)) : req.scopes;
    const code = this.control.issueAuthCode(openId, scopes, req.redirectUri);
    const u = new URL(req.redirectUri);
    u.searchParams.set('code', code);
    u.searchParams.set('scopes', scopes.join(','));
    u.searchParams.set('state', req.state);
    this.redirect(res, call, 302, u.toString());
  }

  private redirectDenied(
    res: ServerResponse,
    call: RecordedCall,
    redirectUri: string,
    state: string,
  ): void {
    const u = new URL(redirectUri);
    u.searchParams.set('error', 'access_denied');
    u.searchParams.set('error_description', 'The user denied the authorization request.');
    u.searchParams.set('state', state);
    this.redirect(res, call, 302, u.toString());
  }

  private shortLink(res: ServerResponse, call: RecordedCall, rest: string): void {
    const slash = rest.indexOf('/');
    const host = slash < 0 ? rest : rest.slice(0, slash);
    const path = slash < 0 ? '/' : rest.slice(slash);
    const link = this.control.findShortLink(host, path);
    if (!link) return this.status(res, call, 404, 'Not Found');
    this.redirect(res, call, link.status ?? 301, link.location);
  }

  private redirect(
    res: ServerResponse,
    call: RecordedCall,
    status: number,
    location: string,
  ): void {
    call.code = status;
    res.writeHead(status, { location, 'content-type': 'text/plain; charset=utf-8' });
    res.end(`Redirecting to ${location}`);
  }

  private html(res: ServerResponse, call: RecordedCall, status: number, html: string): void {
    call.code = status;
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  }
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

function headerRecord(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** Reads the body as text; null when over the size limit. */
async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > MAX_BODY) return null;
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(raw: string): unknown {
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

/** TikTok-like request id: UTC yyyymmddhhmmss followed by random hex. */
function requestId(nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return stamp + randomBytes(10).toString('hex').toUpperCase();
}
