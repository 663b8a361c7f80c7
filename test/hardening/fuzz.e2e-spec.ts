import fc from 'fast-check';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { startAppWithSimulator } from '../support/tiktok';
import { TEST_JWT_SECRET } from '../support/app';
import { rawRequest, type RawResponse } from '../support/raw-http';
import { connectAccount } from '../factories/connect';
import { seedComments, seedVideos, syncUntilIdle } from '../factories/sync';

/** Requests in CI; `FUZZ_RUNS` raises it (bench/fuzz). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);

interface Operation {
  method: string;
  /** OpenAPI template, `{id}` style */
  path: string;
  pathParams: string[];
  query: string[];
  hasBody: boolean;
  bodyProps: string[];
}

/** Every operation of the OpenAPI document the service serves. */
function operationsOf(doc: {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { in: string; name: string }[];
        requestBody?: { content?: Record<string, { schema?: unknown }> };
      }
    >
  >;
  components?: { schemas?: Record<string, { properties?: Record<string, unknown> }> };
}): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const params = op.parameters ?? [];
      const schema = op.requestBody?.content?.['application/json']?.schema as
        { $ref?: string; properties?: Record<string, unknown> } | undefined;
      const resolved = schema?.$ref
        ? doc.components?.schemas?.[schema.$ref.split('/').pop()!]
        : schema;
      out.push({
        method: method.toUpperCase(),
        path,
        pathParams: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
        query: params.filter((p) => p.in === 'query').map((p) => p.name),
        hasBody: op.requestBody !== undefined,
        bodyProps: Object.keys(resolved?.properties ?? {}),
      });
    }
  }
  return out;
}

const cursor = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');

/** Strings that broke something once, or are likely to. */
const NASTY = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfff',
  '%',
  '%zz',
  '%ff',
  '%c0%af',
  '%ED%A0%80',
  'a'.repeat(101),
  'a'.repeat(5000),
  '-271821-04-20T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '1e308',
  '-1',
  'NaN',
  'null',
  'true',
  '[]',
  '{}',
  '../../etc/passwd',
  "'; drop table tiktok_comment; --",
  '<script>alert(1)</script>',
  cursor({ s: 1e308 }),
  cursor({ s: null }),
  cursor({ s: -1 }),
  cursor({ t: '-271821-04-20T00:00:00Z', i: '00000000-0000-0000-0000-000000000000' }),
  cursor({ p: '-271821-04-20T00:00:00Z', id: 'x' }),
  cursor([1, 2]),
  cursor('x'),
  '00000000-0000-0000-0000-000000000000',
];

const nasty = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.uuid().map(String) },
);

/** A path segment: percent-encoded (it reaches the handler decoded) or, sometimes, raw and malformed. */
const segment = (real: string[]) =>
  fc.oneof(
    { weight: 3, arbitrary: real.length ? fc.constantFrom(...real) : fc.uuid().map(String) },
    {
      weight: 3,
      arbitrary: nasty.map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '\ufffd'))),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '%',
        '%zz',
        '%ff',
        '%c0%af',
        '%ED%A0%80',
        'a'.repeat(120),
        '%00',
        '..',
        '',
      ),
    },
  );

const deep = (n: number, open: string, close: string, inner = '1') =>
  open.repeat(n) + inner + close.repeat(n);

/** A body: JSON shaped like the operation's, any JSON, deeply nested, not JSON, empty, or huge. */
const bodyOf = (op: Operation) =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .dictionary(
          fc.constantFrom(...(op.bodyProps.length ? op.bodyProps : ['x']), 'unknownField'),
          fc.oneof(nasty, fc.jsonValue({ maxDepth: 2 })),
          {
            maxKeys: 4,
          },
        )
        .map((o) => JSON.stringify(o)),
    },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        deep(20_000, '[', ']'),
        deep(5_000, '{"a":', '}'),
        `{"text":${deep(3000, '[', ']')}}`,
        '{"name":"\\ud800"}',
        '{"text":"\\u0000"}',
        '{"name":"a\\u0000b"}',
        '{',
        'not json',
        '',
        'null',
        '"a string"',
        `{"text":"${'x'.repeat(2_000_000)}"}`,
      ),
    },
  );

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/json; charset=latin1',
  undefined,
);

describe('fuzzing every route of the OpenAPI document (property)', () => {
  let env: Awaited<ReturnType<typeof startAppWithSimulator>>;
  let ops: Operation[];
  const real: Record<string, string[]> = {};
  let tokens: fc.Arbitrary<string | undefined>;

  beforeAll(async () => {
    env = await startAppWithSimulator({
      // the per-user request limit would answer most of a long run with 429 before any handler
      app: {
        env: { WORKERS: 'false', SYNC_INTERVAL_SECONDS: '60', RATE_LIMIT_PER_MINUTE: '10000000' },
      },
    });
    const { sim, t } = env;
    const a = sim.control.addAccount({ username: 'fuzzed' });
    for (const v of seedVideos(sim, a.openId, 2))
      seedComments(sim, a.openId, v.itemId, 5, { withReplies: 1, repliesEach: 1 });
    const admin = t.token({ tenant: 'acme', sub: 'fuzz-admin', roles: ['admin'] });
    const integrationId = (await connectAccount(t, sim, a.openId, admin)).connectedId!;
    await syncUntilIdle(t);
    const auth = { authorization: `Bearer ${admin}` };
    const videos = await request(t.url)
      .get(`/api/v1/integrations/tiktok/${integrationId}/videos`)
      .set(auth)
      .expect(200);
    const comments = await request(t.url).get('/api/v1/comments').set(auth).expect(200);
    const set = await request(t.url)
      .post('/api/v1/permission-sets')
      .set(auth)
      .send({ name: 'fuzz team' })
      .expect(201);
    real.integration = [integrationId];
    real.video = (videos.body.items as { id: string }[]).map((v) => v.id);
    real.comment = (comments.body.items as { id: string }[]).map((c) => c.id);
    real.set = [set.body.id as string];
    real.user = ['fuzz-agent'];
    const doc = (await request(t.url).get('/api/docs-json').expect(200)).body;
    ops = operationsOf(doc);
    const sign = (claims: object) =>
      jwt.sign(claims, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: 3600 });
    tokens = fc.constantFrom(
      `Bearer ${admin}`,
      `Bearer ${t.token({ tenant: 'acme', sub: 'fuzz-agent', roles: ['agent'] })}`,
      `Bearer ${t.token({ tenant: 'acme', sub: 'fuzz-auditor', roles: ['auditor'] })}`,
      `Bearer ${sign({ sub: 'a\u0000b', tenant: 'acme', roles: ['admin'] })}`,
      `Bearer ${sign({ sub: 'x'.repeat(300), tenant: 'acme', roles: ['admin'] })}`,
      `Bearer ${sign({ sub: 'ok', tenant: 'ACME', roles: ['admin'] })}`,
      `Bearer ${sign({ sub: 'ok', tenant: 'acme', roles: 'admin' })}`,
      'Bearer',
      'Bearer ',
      'Bearer a.b.c',
      'Basic YTpi',
      'bearer\u0000x',
      undefined,
    );
  }, 120_000);
  afterAll(async () => {
    await env?.close();
  });

  it('reads the document (the property below has routes to walk)', () => {
    expect(ops.length).toBeGreaterThan(20);
    expect(ops.some((o) => o.hasBody)).toBe(true);
  });

  it('never answers 5xx, always answers, always in the contract error shape, never with a stack or SQL', async () => {
    const realFor = (op: Operation, param: string): string[] => {
      const before = op.path.split('/')[op.path.split('/').indexOf(`{${param}}`) - 1];
      if (param === 'integrationId' || (param === 'id' && before === 'tiktok'))
        return real.integration!;
      if (param === 'videoId') return real.video!;
      if (param === 'userId') return real.user!;
      if (param === 'id' && before === 'comments') return real.comment!;
      if (param === 'id' && before === 'permission-sets') return real.set!;
      return [];
    };
    const requestOf = (op: Operation) =>
      fc.record({
        method: fc.oneof(
          { weight: 8, arbitrary: fc.constant(op.method) },
          {
            weight: 1,
            arbitrary: fc.constantFrom('TRACE', 'OPTIONS', 'HEAD', 'PATCH', 'PUT', 'DELETE', 'FOO'),
          },
        ),
        segments: fc.tuple(...op.pathParams.map((p) => segment(realFor(op, p))), fc.constant('')),
        query: fc.array(
          fc.tuple(
            fc.oneof(
              {
                weight: 4,
                arbitrary: fc.constantFrom(...(op.query.length ? op.query : ['limit'])),
              },
              { weight: 1, arbitrary: fc.constantFrom('unknown', 'x'.repeat(50)) },
            ),
            nasty,
          ),
          { maxLength: 4 },
        ),
        hugeQuery: fc.oneof(
          { weight: 20, arbitrary: fc.constant(false) },
          { weight: 1, arbitrary: fc.constant(true) },
        ),
        body: op.hasBody
          ? fc.option(bodyOf(op), { freq: 6 })
          : fc.option(fc.constantFrom('{}', 'x'.repeat(1_100_000)), { freq: 1 }),
        contentType,
        authorization: tokens,
        idempotencyKey: fc.option(
          nasty.map((s) => s.replace(/[\r\n]/g, '')),
          { freq: 4 },
        ),
      });
    const cases = fc.constantFrom(...ops).chain((op) => requestOf(op).map((r) => ({ op, r })));
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(cases, async ({ op, r }) => {
        let i = 0;
        let target = op.path.replace(/\{\w+\}/g, () => r.segments[i++]!);
        const qs = r.query.map(
          ([k, v]) =>
            `${encodeURIComponent(k)}=${encodeURIComponent(v.replace(/[\ud800-\udfff]/g, '\ufffd'))}`,
        );
        if (r.hugeQuery) qs.push(`q=${'a'.repeat(20_000)}`);
        if (qs.length) target += `?${qs.join('&')}`;
        const headers: Record<string, string> = {};
        if (r.authorization !== undefined)
          headers.authorization = r.authorization.replace(/[\r\n]/g, '');
        if (r.body !== null && r.contentType) headers['content-type'] = r.contentType;
        if (r.idempotencyKey !== null) headers['idempotency-key'] = r.idempotencyKey;
        const res: RawResponse | null = await rawRequest(env.t.url, {
          method: r.method,
          path: target,
          headers,
          body: r.body ?? undefined,
        }).catch(() => null);
        const what = `${r.method} ${target.slice(0, 200)} (${headers['content-type'] ?? '-'}, body ${r.body === null ? '-' : r.body.slice(0, 60)})`;
        if (!res) {
          failures.push(`no answer: ${what}`);
          return true;
        }
        if (res.status >= 500) failures.push(`${res.status}: ${what} -> ${res.text.slice(0, 300)}`);
        if (res.status >= 400 && r.method !== 'HEAD') {
          let body: { error?: { code?: unknown; requestId?: unknown; message?: unknown } } = {};
          try {
            body = JSON.parse(res.text) as typeof body;
          } catch {
            failures.push(`${res.status} not JSON: ${what} -> ${res.text.slice(0, 200)}`);
          }
          const e = body.error;
          if (
            !e ||
            typeof e.code !== 'string' ||
            !/^[A-Z][A-Z0-9_]*$/.test(e.code) ||
            typeof e.requestId !== 'string' ||
            typeof e.message !== 'string'
          ) {
            failures.push(
              `${res.status} outside the error shape: ${what} -> ${res.text.slice(0, 200)}`,
            );
          }
        }
        if (
          /\bat [\w.<>]+ \(|node_modules|\.ts:\d+|\bselect .* from\b|insert into|duplicate key|violates|syntax error at/i.test(
            res.text,
          )
        ) {
          failures.push(`${res.status} leaks internals: ${what} -> ${res.text.slice(0, 300)}`);
        }
        return true; // every finding is collected, so one run shows them all
      }),
      { numRuns: RUNS, seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined },
    );
    expect(failures.slice(0, 40)).toEqual([]);
  }, 600_000);
});
