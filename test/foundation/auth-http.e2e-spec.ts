import request from 'supertest';
import jwt from 'jsonwebtoken';
import { EventLog } from '@shared/event-log/event-log';
import { Sealer } from '@shared/event-log/sealer';
import { TEST_JWT_SECRET, startTestApp, type TestApp } from '../support/app';
import { asSuperuser } from '../support/database';
import { appendEvents, testEvent } from '../support/events';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const sign = (claims: Record<string, unknown>, opts: jwt.SignOptions = {}, secret = TEST_JWT_SECRET) =>
  jwt.sign(claims, secret, { algorithm: 'HS256', ...('exp' in claims ? {} : { expiresIn: 600 }), ...opts });

/** API.md's error shape; the request id is the one the response header carries. */
function expectErrorShape(res: request.Response, status: number, code?: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/application\/json/);
  expect(res.body).toEqual({
    error: expect.objectContaining({ code: code ?? expect.any(String), message: expect.any(String), requestId: expect.any(String) }),
  });
  expect(res.body.error.requestId).toBe(res.headers['x-request-id']);
  const text = JSON.stringify(res.body);
  expect(text).not.toMatch(/\bat .+\.(ts|js):\d+|stack|select |insert |event_|permission denied|postgres/i);
}

describe('authentication and authorisation over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { WORKERS: 'false' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const cases: [string, () => Record<string, string>][] = [
    ['no token', () => ({})],
    ['not a bearer header', () => ({ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` })],
    ['a malformed token', () => bearer('not.a.jwt')],
    ['an expired token', () => bearer(sign({ sub: 'u1', tenant: 'acme', roles: ['admin'], exp: Math.floor(Date.now() / 1000) - 60 }))],
    ['a bad signature', () => bearer(sign({ sub: 'u1', tenant: 'acme', roles: ['admin'] }, {}, 'another-secret-0123456789-0123456789-xyz'))],
    ['another algorithm (HS512)', () => bearer(sign({ sub: 'u1', tenant: 'acme', roles: ['admin'] }, { algorithm: 'HS512' }))],
    ['alg none', () => bearer(jwt.sign({ sub: 'u1', tenant: 'acme', roles: ['admin'] }, '', { algorithm: 'none' }))],
    ['no tenant', () => bearer(sign({ sub: 'u1', roles: ['admin'] }))],
    ['a bad tenant', () => bearer(sign({ sub: 'u1', tenant: 'Acme_Corp', roles: ['admin'] }))],
    ['a tenant that is not a string', () => bearer(sign({ sub: 'u1', tenant: ['acme'], roles: ['admin'] }))],
    ['no sub', () => bearer(sign({ tenant: 'acme', roles: ['admin'] }))],
  ];
  it.each(cases)('401 for %s', async (_name, headers) => {
    const res = await request(t.url).get('/api/v1/events').set(headers());
    expectErrorShape(res, 401, 'UNAUTHORIZED');
  });

  it('a valid token passes, for admin and auditor', async () => {
    for (const roles of [['admin'], ['auditor'], ['agent', 'auditor']]) {
      const res = await request(t.url).get('/api/v1/events').set(bearer(t.token({ roles })));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ items: [], nextCursor: null });
    }
  });

  it('403 for a role the route does not allow (agent, or no known role) on every event route', async () => {
    for (const path of ['/api/v1/events', '/api/v1/events/verify', '/api/v1/events/export', '/api/v1/events/stream', '/api/v1/events/checkpoints']) {
      for (const roles of [['agent'], [], ['superuser']]) {
        const res = await request(t.url).get(path).set(bearer(t.token({ roles })));
        expectErrorShape(res, 403, 'FORBIDDEN');
      }
    }
  });

  it('unknown routes are a JSON 404, with or without a token', async () => {
    for (const path of ['/api/v1/nope', '/nope', '/api/v2/events']) {
      expectErrorShape(await request(t.url).get(path), 404, 'NOT_FOUND');
      expectErrorShape(await request(t.url).get(path).set(bearer(t.token())), 404, 'NOT_FOUND');
    }
  });

  it('a body over the size limit is a 413, never a 500', async () => {
    const body = JSON.stringify({ text: 'x'.repeat(70 * 1024) });
    for (const path of ['/api/v1/events', '/api/v1/nope', '/health']) {
      const res = await request(t.url).post(path).set(bearer(t.token())).set('content-type', 'application/json').send(body);
      expectErrorShape(res, 413, 'PAYLOAD_TOO_LARGE');
    }
  });

  it('a body that is not JSON is a 400 in the error shape', async () => {
    for (const body of ['{"text": ', 'not json']) {
      const res = await request(t.url).post('/api/v1/events').set(bearer(t.token())).set('content-type', 'application/json').send(body);
      expectErrorShape(res, 400);
    }
    // an empty body is no body (a bodiless POST may carry the content type): the route decides, here 404
    const empty = await request(t.url).post('/api/v1/events').set(bearer(t.token())).set('content-type', 'application/json').send('');
    expectErrorShape(empty, 404, 'NOT_FOUND');
  });

  it('bad query parameters are 400 VALIDATION_FAILED with one detail per field', async () => {
    const limit = await request(t.url).get('/api/v1/events?limit=0').set(bearer(t.token()));
    expectErrorShape(limit, 400, 'VALIDATION_FAILED');
    expect(limit.body.error.details).toEqual([{ field: 'limit', message: expect.any(String) }]);
    const big = await request(t.url).get('/api/v1/events?limit=201').set(bearer(t.token()));
    expectErrorShape(big, 400, 'VALIDATION_FAILED');
    const cursor = await request(t.url).get('/api/v1/events?cursor=garbage').set(bearer(t.token()));
    expectErrorShape(cursor, 400, 'VALIDATION_FAILED');
    expect(cursor.body.error.details).toEqual([{ field: 'cursor', message: expect.any(String) }]);
    const unknown = await request(t.url).get('/api/v1/events?sql=1').set(bearer(t.token()));
    expectErrorShape(unknown, 400, 'VALIDATION_FAILED');
  });

  it('echoes a well-formed x-request-id and replaces a bad one', async () => {
    const good = await request(t.url).get('/api/v1/nope').set('x-request-id', 'trace-abc.123');
    expect(good.body.error.requestId).toBe('trace-abc.123');
    const bad = await request(t.url).get('/api/v1/nope').set('x-request-id', 'bad id <script>');
    expect(bad.body.error.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a database failure is a bare 500: no SQL, no stack; the log has it under the request id', async () => {
    await asSuperuser(t.testDb, (c) => c.query('revoke select on event_checkpoint from echo_test_app'));
    try {
      const res = await request(t.url).get('/api/v1/events/checkpoints').set(bearer(t.token()));
      expectErrorShape(res, 500, 'INTERNAL');
      expect(res.body.error.message).toBe('Internal error');
      const line = t.logs.find((l) => l.includes(res.body.error.requestId) && l.includes('"level":"error"'));
      expect(line).toMatch(/permission denied/);
    } finally {
      await asSuperuser(t.testDb, (c) => c.query('grant select on event_checkpoint to echo_test_app'));
    }
    expect((await request(t.url).get('/api/v1/events/checkpoints').set(bearer(t.token()))).status).toBe(200);
  });

  it('/metrics is Prometheus text with the HTTP and event-log series', async () => {
    await request(t.url).get('/health');
    await appendEvents(t.db, t.app.get(EventLog), 'acme', [testEvent(1), testEvent(2), testEvent(3)]);
    const before = await request(t.url).get('/metrics');
    expect(before.status).toBe(200);
    expect(before.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(before.text).toMatch(/^# TYPE http_requests_total counter$/m);
    expect(before.text).toMatch(/^http_requests_total\{method="GET",route="\/health",status="200"\} \d+$/m);
    expect(before.text).toMatch(/^# TYPE event_seal_lag_seconds histogram$/m);
    expect(before.text).toMatch(/^event_unsealed 3$/m);
    await t.app.get(Sealer).drain();
    const after = await request(t.url).get('/metrics');
    expect(after.text).toMatch(/^event_unsealed 0$/m);
    expect(after.text).toMatch(/^event_seal_lag_seconds_count 3$/m);
  });

  it('/api/docs-json is an OpenAPI 3 document with bearer auth', async () => {
    const res = await request(t.url).get('/api/docs-json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(res.body.components.securitySchemes).toEqual(expect.objectContaining({ bearer: expect.objectContaining({ scheme: 'bearer' }) }));
    expect(res.body.paths['/api/v1/events']).toBeDefined();
  });
});

describe('issuer and audience', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { WORKERS: 'false', AUTH_JWT_ISSUER: 'https://id.echo.test', AUTH_JWT_AUDIENCE: 'echo-tiktok' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('are checked when configured', async () => {
    const claims = { sub: 'u1', tenant: 'acme', roles: ['admin'] };
    const get = (tok: string) => request(t.url).get('/api/v1/events').set(bearer(tok));
    expect((await get(sign(claims, { issuer: 'https://id.echo.test', audience: 'echo-tiktok' }))).status).toBe(200);
    expectErrorShape(await get(sign(claims)), 401, 'UNAUTHORIZED');
    expectErrorShape(await get(sign(claims, { issuer: 'https://evil.test', audience: 'echo-tiktok' })), 401, 'UNAUTHORIZED');
    expectErrorShape(await get(sign(claims, { issuer: 'https://id.echo.test', audience: 'other-app' })), 401, 'UNAUTHORIZED');
    expectErrorShape(await get(sign(claims, { issuer: 'https://id.echo.test' })), 401, 'UNAUTHORIZED');
  });
});

describe('rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { WORKERS: 'false', RATE_LIMIT_PER_MINUTE: '5' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 429 RATE_LIMITED with Retry-After once a user is over budget, per user', async () => {
    const alice = t.token({ sub: 'alice' });
    for (let i = 0; i < 5; i++) expect((await request(t.url).get('/api/v1/events').set(bearer(alice))).status).toBe(200);
    const res = await request(t.url).get('/api/v1/events').set(bearer(alice));
    expectErrorShape(res, 429, 'RATE_LIMITED');
    const retry = Number(res.headers['retry-after']);
    expect(Number.isInteger(retry)).toBe(true);
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(120);
    // another user of the same tenant, and the same user name in another tenant, have their own budget
    expect((await request(t.url).get('/api/v1/events').set(bearer(t.token({ sub: 'bob' })))).status).toBe(200);
    expect((await request(t.url).get('/api/v1/events').set(bearer(t.token({ sub: 'alice', tenant: 'other' })))).status).toBe(200);
    // public operations routes are not user-limited
    for (let i = 0; i < 8; i++) expect((await request(t.url).get('/health')).status).toBe(200);
  });
});

describe('CORS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { WORKERS: 'false', CORS_ORIGINS: 'https://ops.example.com,https://tools.example.com/', ADMIN_UI_URL: 'https://admin.example.com/ui' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('allows exactly the configured origins and the admin UI origin', async () => {
    for (const origin of ['https://ops.example.com', 'https://tools.example.com', 'https://admin.example.com']) {
      const res = await request(t.url).get('/api/v1/events').set('origin', origin).set(bearer(t.token()));
      expect([origin, res.headers['access-control-allow-origin']]).toEqual([origin, origin]);
      const pre = await request(t.url)
        .options('/api/v1/events')
        .set('origin', origin)
        .set('access-control-request-method', 'GET')
        .set('access-control-request-headers', 'authorization');
      expect(pre.status).toBeLessThan(300);
      expect(pre.headers['access-control-allow-origin']).toBe(origin);
    }
    for (const origin of ['https://evil.example.com', 'http://ops.example.com', 'https://ops.example.com.evil.test']) {
      const res = await request(t.url).get('/api/v1/events').set('origin', origin).set(bearer(t.token()));
      expect([origin, res.headers['access-control-allow-origin']]).toEqual([origin, undefined]);
      const pre = await request(t.url).options('/api/v1/events').set('origin', origin).set('access-control-request-method', 'GET');
      expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('the SSE stream carries the CORS headers too (browsers read it with fetch)', async () => {
    const ac = new AbortController();
    const res = await fetch(`${t.url}/api/v1/events/stream`, {
      headers: { ...bearer(t.token()), origin: 'https://admin.example.com' },
      signal: ac.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://admin.example.com');
    expect(res.headers.get('x-request-id')).toBeTruthy();
    ac.abort();
    await res.body?.cancel().catch(() => undefined);
  });
});
