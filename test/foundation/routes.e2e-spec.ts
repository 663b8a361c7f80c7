import request from 'supertest';
import { ROLES } from '@shared/auth/current-user';
import { startTestApp, type TestApp } from '../support/app';
import { fastifyRoutes, nestRoutes, type NestRoute } from '../support/routes';

/** Public routes API.md allows besides the operations ones; they count only when they exist. */
const PUBLIC_WHEN_PRESENT = ['GET /api/v1/integrations/tiktok/callback', 'POST /api/v1/webhooks/tiktok', 'POST /api/v1/dev/token'];
const PUBLIC_ALWAYS = ['GET /health', 'GET /health/ready', 'GET /metrics'];
/** Served by Fastify plugins, not Nest: the OpenAPI UI/documents, the CORS preflight, and the console's static files (public, no data). */
const isFrameworkRoute = (method: string, path: string): boolean =>
  path.startsWith('/api/docs') || (method === 'OPTIONS' && path === '*') || ((method === 'GET' || method === 'HEAD') && path.startsWith('/admin'));

const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

describe('route walk', () => {
  let t: TestApp;
  let nest: NestRoute[];
  beforeAll(async () => {
    t = await startTestApp({ env: { WORKERS: 'false' } });
    nest = nestRoutes(t.app);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('finds the routes (the walk itself works)', () => {
    expect(nest.map(key)).toEqual(expect.arrayContaining([...PUBLIC_ALWAYS, 'GET /api/v1/events', 'GET /api/v1/events/stream']));
    const served = fastifyRoutes(t.app).map(key);
    expect(served).toEqual(expect.arrayContaining(['GET /api/v1/events/verify', 'HEAD /health', 'GET /api/docs-json']));
  });

  it('every route is either @Public() or names its roles with @Roles(...)', () => {
    const bad = nest.filter((r) => !r.isPublic && !(Array.isArray(r.roles) && r.roles.length > 0 && r.roles.every((x) => (ROLES as readonly string[]).includes(x))));
    expect(bad.map((r) => `${key(r)} (${r.controller}.${r.handler})`)).toEqual([]);
  });

  it('the public set is exactly health, health/ready, metrics, the OpenAPI docs, and (when present) the OAuth callback and the TikTok webhook', () => {
    const pub = nest.filter((r) => r.isPublic).map(key).sort();
    const allowed = [...PUBLIC_ALWAYS, ...PUBLIC_WHEN_PRESENT.filter((p) => nest.some((r) => key(r) === p))].sort();
    expect(pub).toEqual(allowed);
  });

  it('Fastify serves nothing that is not a walked Nest route or a framework route (docs, CORS preflight)', () => {
    const known = new Set(nest.flatMap((r) => (r.method === 'GET' ? [key(r), `HEAD ${r.path}`] : [key(r)])));
    const stray = fastifyRoutes(t.app).filter((r) => !known.has(key(r)) && !isFrameworkRoute(r.method, r.path));
    expect(stray).toEqual([]);
    // and every walked route is really served
    const served = new Set(fastifyRoutes(t.app).map(key));
    expect(nest.filter((r) => !served.has(key(r))).map(key)).toEqual([]);
  });

  it('a protected route refuses a request without a token, a public one does not ask for one', async () => {
    for (const r of nest.filter((x) => x.method === 'GET' && !x.path.includes(':'))) {
      const res = await request(t.url).get(r.path);
      if (r.isPublic) {
        expect([r.path, [401, 403].includes(res.status) || res.status >= 500]).toEqual([r.path, false]);
      } else {
        expect([r.path, res.status]).toEqual([r.path, 401]);
      }
    }
    for (const p of PUBLIC_ALWAYS) expect((await request(t.url).get(p.slice(4))).status).toBe(200);
  });

  it('the OpenAPI 3 document lists every route, and nothing else', async () => {
    const res = await request(t.url).get('/api/docs-json');
    expect(res.status).toBe(200);
    const doc = res.body as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    const ui = await request(t.url).get('/api/docs');
    expect(ui.status).toBe(200);
    expect(ui.headers['content-type']).toMatch(/text\/html/);
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => `${m.toUpperCase()} ${p.replace(/\{([^}]+)\}/g, ':$1')}`),
    );
    expect(documented.sort()).toEqual(nest.map(key).sort());
  });
});
