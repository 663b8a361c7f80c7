import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { signWebhook } from '../../src/sandbox/webhook-dispatcher';
import { TEST_JWT_SECRET, startTestApp, type TestApp } from '../support/app';
import { asSuperuser } from '../support/database';
import { rawRequest, rawSocket, type RawResponse } from '../support/raw-http';

/**
 * Issue 18 items 1–3 (and issue 13 §3's framework errors): odd but harmless input is a 4xx in
 * API.md's error shape, never a 500, never a connection closed without an answer.
 */
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');
const deepArray = (n: number) => '['.repeat(n) + ']'.repeat(n);
const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
const OLD = '-271821-04-20T00:00:00Z';

interface Case {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** the status when it matters; any 4xx otherwise */
  status?: number;
  code?: string;
}

describe('hostile input: a 4xx in the contract shape for every odd request', () => {
  let t: TestApp;
  let setId: string;
  const auth = (): Record<string, string> => ({
    authorization: `Bearer ${t.token({ tenant: 'acme', roles: ['admin'] })}`,
  });
  const json = (): Record<string, string> => ({ ...auth(), 'content-type': 'application/json' });
  beforeAll(async () => {
    t = await startTestApp({ env: { WORKERS: 'false' } });
    const res = await rawRequest(t.url, {
      method: 'POST',
      path: '/api/v1/permission-sets',
      headers: json(),
      body: JSON.stringify({ name: 'Support' }),
    });
    expect(res.status).toBe(201);
    setId = (res.json as { id: string }).id;
  });
  afterAll(() => t?.close());

  const bodyRoutes = (): [string, string][] => [
    ['POST', '/api/v1/permission-sets'],
    ['PATCH', `/api/v1/permission-sets/${setId}`],
    ['POST', '/api/v1/integrations/tiktok/connect'],
    ['POST', `/api/v1/comments/${randomUUID()}/replies`],
    ['POST', `/api/v1/integrations/tiktok/${randomUUID()}/videos/${randomUUID()}/comments`],
    ['POST', `/api/v1/integrations/tiktok/${randomUUID()}/videos`],
  ];

  const cases = (): Case[] => [
    // item 1: NUL where a string reaches PostgreSQL
    {
      name: 'NUL in q',
      method: 'GET',
      path: '/api/v1/comments?q=a%00b',
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'NUL in type',
      method: 'GET',
      path: '/api/v1/events?type=%00',
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'NUL in actorId',
      method: 'GET',
      path: '/api/v1/events?actorId=%00',
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'NUL in a permission-set name',
      method: 'POST',
      path: '/api/v1/permission-sets',
      body: JSON.stringify({ name: 'a\u0000b' }),
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'NUL in a member id in the path',
      method: 'PUT',
      path: `/api/v1/permission-sets/${setId}/members/a%00b`,
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'NUL in a reply text',
      method: 'POST',
      path: `/api/v1/comments/${randomUUID()}/replies`,
      body: JSON.stringify({ text: '\u0000' }),
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'NUL in a comment text',
      method: 'POST',
      path: `/api/v1/integrations/tiktok/${randomUUID()}/videos/${randomUUID()}/comments`,
      body: JSON.stringify({ text: 'hi\u0000' }),
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    // lone surrogates fail when an event's jsonb is written
    {
      name: 'a lone surrogate in a name',
      method: 'POST',
      path: '/api/v1/permission-sets',
      body: '{"name":"\\ud800"}',
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'a lone low surrogate in a rename',
      method: 'PATCH',
      path: `/api/v1/permission-sets/${setId}`,
      body: '{"name":"a\\udc00"}',
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    // deeply nested JSON on every route with a JSON body
    ...bodyRoutes().flatMap(([method, path]): Case[] => [
      {
        name: `a 20,000-level array on ${method} ${path}`,
        method,
        path,
        body: deepArray(20_000),
        status: 400,
        code: 'VALIDATION_FAILED',
      },
      {
        name: `a 5,000-level object on ${method} ${path}`,
        method,
        path,
        body: deepObject(5_000),
        status: 400,
        code: 'VALIDATION_FAILED',
      },
    ]),
    // dates JavaScript accepts and PostgreSQL does not
    {
      name: 'from before year 1',
      method: 'GET',
      path: `/api/v1/events?from=${OLD}`,
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'to before year 1',
      method: 'GET',
      path: `/api/v1/events?to=${OLD}`,
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'since before year 1',
      method: 'GET',
      path: `/api/v1/comments?since=${OLD}`,
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'export from before year 1',
      method: 'GET',
      path: `/api/v1/events/export?from=${OLD}`,
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'a year past 9999',
      method: 'GET',
      path: '/api/v1/events?from=%2B275760-09-13T00:00:00Z',
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'a comments cursor with such a date',
      method: 'GET',
      path: `/api/v1/comments?cursor=${b64({ p: OLD, i: randomUUID() })}`,
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'a videos cursor with such a date',
      method: 'GET',
      path: `/api/v1/integrations/tiktok/${randomUUID()}/videos?cursor=${b64({ p: OLD, i: randomUUID() })}`,
      code: undefined,
    },
    // forged cursors
    {
      name: 'an events cursor of 1e308',
      method: 'GET',
      path: `/api/v1/events?cursor=${b64({ s: 1e308 })}`,
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'an events cursor of null',
      method: 'GET',
      path: `/api/v1/events?cursor=${b64({ s: null })}`,
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'an events cursor of a string',
      method: 'GET',
      path: `/api/v1/events?cursor=${b64({ s: '1' })}`,
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'a checkpoints cursor of 1e308',
      method: 'GET',
      path: `/api/v1/events/checkpoints?cursor=${b64({ i: 1e308 })}`,
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'a stream after 1e308',
      method: 'GET',
      path: '/api/v1/events/stream?after=1e308',
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'a Last-Event-ID past 2^53',
      method: 'GET',
      path: '/api/v1/events/stream',
      headers: { 'last-event-id': '99999999999999999999' },
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    // item 2: requests that once got no answer
    {
      name: 'a 1 MB body on a route without one',
      method: 'PUT',
      path: `/api/v1/permission-sets/${setId}/integrations/${randomUUID()}`,
      body: JSON.stringify({ x: 'y'.repeat(1024 * 1024) }),
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    },
    {
      name: 'a 1 MB body that is not JSON',
      method: 'PUT',
      path: `/api/v1/permission-sets/${setId}/integrations/${randomUUID()}`,
      headers: { 'content-type': 'text/plain' },
      body: 'y'.repeat(1024 * 1024),
    },
    { name: 'TRACE on a route', method: 'TRACE', path: '/api/v1/events' },
    { name: 'TRACE on the root', method: 'TRACE', path: '/' },
    {
      name: 'an unknown query parameter',
      method: 'GET',
      path: '/api/v1/comments?nope=1',
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'an unknown query parameter on a route without a query',
      method: 'GET',
      path: '/api/v1/permission-sets?nope=1',
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'a repeated query parameter',
      method: 'GET',
      path: '/api/v1/comments?q=a&q=b',
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    // item 3: the router's own errors
    ...['%', '%zz', '%ff', '%c0%af', '%ED%A0%80'].map((seg): Case => ({
      name: `a path segment ${seg}`,
      method: 'GET',
      path: `/api/v1/permission-sets/${seg}`,
      status: 400,
      code: 'BAD_URL',
    })),
    {
      name: 'a bad escape in a member id',
      method: 'PUT',
      path: `/api/v1/permission-sets/${setId}/members/%zz`,
      status: 400,
      code: 'BAD_URL',
    },
    {
      name: 'a path parameter over 100 characters',
      method: 'GET',
      path: `/api/v1/permission-sets/${'a'.repeat(150)}`,
      status: 414,
      code: 'URI_TOO_LONG',
    },
    {
      name: 'a 20 KB query string',
      method: 'GET',
      path: `/api/v1/comments?q=${'a'.repeat(20 * 1024)}`,
      status: 431,
      code: 'HEADERS_TOO_LARGE',
    },
    {
      name: 'a 1 MB body with its content-length on a route without one',
      method: 'PUT',
      path: `/api/v1/permission-sets/${setId}/integrations/${randomUUID()}`,
      headers: { 'content-length': String(1024 * 1024 + 8) },
      body: JSON.stringify({ x: 'y'.repeat(1024 * 1024) }),
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    },
    // bodies that are JSON but not an object, or that try prototype pollution
    ...[
      'null',
      '"text"',
      '[]',
      '123',
      'true',
      '{"__proto__":{"admin":true}}',
      '{"constructor":{"prototype":{"x":1}}}',
    ].map((body): Case => ({
      name: `the body ${body}`,
      method: 'POST',
      path: '/api/v1/permission-sets',
      body,
      status: 400,
    })),
    {
      name: 'a NUL in a field name',
      method: 'POST',
      path: '/api/v1/permission-sets',
      body: '{"name":"ok","a\\u0000":1}',
      status: 400,
    },
    {
      name: 'a NUL in a query parameter name',
      method: 'GET',
      path: '/api/v1/comments?a%00=1',
      status: 400,
    },
    {
      name: 'an id with NUL on a route without a DTO',
      method: 'DELETE',
      path: `/api/v1/permission-sets/${setId}/members/%00`,
      status: 400,
    },
    // issue 13 §3: errors before our code
    {
      name: 'a malformed Authorization header',
      method: 'GET',
      path: '/api/v1/events',
      headers: { authorization: 'Bearer' },
      status: 401,
      code: 'UNAUTHORIZED',
    },
    {
      name: 'a bad content type',
      method: 'POST',
      path: '/api/v1/permission-sets',
      headers: { 'content-type': 'text/plain' },
      body: 'name',
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'a content type with a bad charset',
      method: 'POST',
      path: '/api/v1/permission-sets',
      headers: { 'content-type': 'application/json; charset=latin9' },
      body: '{}',
      status: 415,
    },
    {
      name: 'invalid JSON',
      method: 'POST',
      path: '/api/v1/permission-sets',
      body: '{"name": ',
      status: 400,
      code: 'MALFORMED_JSON',
    },
    {
      name: 'a body over the limit',
      method: 'POST',
      path: '/api/v1/permission-sets',
      body: JSON.stringify({ name: 'x'.repeat(70 * 1024) }),
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    },
  ];

  function expectContractError(res: RawResponse, c: Case): void {
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    if (c.status) expect(res.status).toBe(c.status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json as { error?: { code?: unknown; message?: unknown; requestId?: unknown } };
    expect(body).toEqual({
      error: expect.objectContaining({
        code: expect.any(String),
        message: expect.any(String),
        requestId: expect.any(String),
      }),
    });
    if (c.code) expect(body.error!.code).toBe(c.code);
    expect(Object.keys(body)).toEqual(['error']);
    expect(res.text).not.toMatch(
      /\bat .+\.(ts|js):\d+|stack|select |insert |FST_|statusCode|postgres/i,
    );
  }

  it('answers each case with a 4xx in the contract shape (and a request id)', async () => {
    const failures: string[] = [];
    for (const c of cases()) {
      const headers = { ...(c.body !== undefined ? json() : auth()), ...c.headers };
      if (c.headers?.authorization === 'Bearer') headers.authorization = 'Bearer';
      let res: RawResponse;
      try {
        res = await rawRequest(t.url, { method: c.method, path: c.path, headers, body: c.body });
      } catch (err) {
        failures.push(`${c.name}: no answer (${(err as Error).message})`);
        continue;
      }
      try {
        expectContractError(res, c);
      } catch {
        failures.push(`${c.name}: ${res.status} ${res.text.slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('a bodiless POST with content-type application/json is accepted (hide reaches its route)', async () => {
    const res = await rawRequest(t.url, {
      method: 'POST',
      path: `/api/v1/comments/${randomUUID()}/hide`,
      headers: { ...json(), 'content-length': '0' },
    });
    expect(res.status).toBe(404);
    expect((res.json as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });

  it('a missing field says it is required, not what it would have to be', async () => {
    const res = await rawRequest(t.url, {
      method: 'POST',
      path: `/api/v1/integrations/tiktok/${randomUUID()}/videos`,
      headers: json(),
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect((res.json as { error: { details: unknown } }).error.details).toEqual([
      { field: 'url', message: 'url is required' },
    ]);
    const unknown = await rawRequest(t.url, {
      method: 'GET',
      path: '/api/v1/comments?nope=1',
      headers: auth(),
    });
    expect((unknown.json as { error: { details: unknown } }).error.details).toEqual([
      { field: 'nope', message: 'nope is not a known parameter' },
    ]);
  });

  it('a JWT whose sub or name holds NUL is a 401', async () => {
    for (const claims of [{ sub: 'a\u0000b' }, { sub: 'a', name: 'x\u0000' }, { sub: '\ud800' }]) {
      const token = jwt.sign({ tenant: 'acme', roles: ['admin'], ...claims }, TEST_JWT_SECRET, {
        algorithm: 'HS256',
        expiresIn: 600,
      });
      const res = await rawRequest(t.url, {
        method: 'GET',
        path: '/api/v1/permission-sets',
        headers: { authorization: `Bearer ${token}` },
      });
      expectContractError(res, {
        name: 'jwt',
        method: 'GET',
        path: '',
        status: 401,
        code: 'UNAUTHORIZED',
      });
    }
  });

  it('a signed webhook whose user_openid or event holds NUL is answered and stores nothing unreadable', async () => {
    for (const fields of [
      { user_openid: 'a\u0000b' },
      { event: 'comment.update\u0000' },
      { user_openid: '\ud800' },
    ]) {
      const body = JSON.stringify({
        client_key: 'test-client-key',
        event: 'comment.update',
        create_time: 1,
        user_openid: 'u',
        content: '{}',
        ...fields,
      });
      const res = await rawRequest(t.url, {
        method: 'POST',
        path: '/api/v1/webhooks/tiktok',
        headers: {
          'content-type': 'application/json',
          'tiktok-signature': signWebhook(
            'test-client-secret',
            body,
            Math.floor(Date.now() / 1000),
          ),
        },
        body,
      });
      expect(res.status).toBe(200);
    }
    const rows = await asSuperuser(t.testDb, (c) =>
      c.query(`select user_openid, event from tiktok_webhook_delivery`),
    );
    expect(rows.rows).toHaveLength(3);
  });

  it('a request line the HTTP parser refuses still gets an answer in the contract shape', async () => {
    for (const bytes of [
      'GET /api/v1/events HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
      'NOPE\r\n\r\n',
      `GET /?${'a'.repeat(20 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    ]) {
      const text = await rawSocket(t.url, bytes);
      expect(text).toMatch(/^HTTP\/1\.1 4\d\d /);
      const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as {
        error: { code: string; requestId: string };
      };
      expect(body.error).toEqual(
        expect.objectContaining({ code: expect.any(String), requestId: expect.any(String) }),
      );
    }
  });
});
