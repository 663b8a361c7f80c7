import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import request from 'supertest';
import { Sealer } from '@shared/event-log/sealer';
import { startAppWithSimulator } from '../support/tiktok';
import { asSuperuser } from '../support/database';
import { nestRoutes, type NestRoute } from '../support/routes';
import { connectAccount } from '../factories/connect';
import { seedComments, seedVideos, syncUntilIdle } from '../factories/sync';
import { SseClient } from '../support/sse';

/** Property runs in CI; `FUZZ_RUNS` raises it (bench/fuzz). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

type Kind = 'integration' | 'video' | 'comment' | 'permission-set' | 'user';
interface Caller {
  name: string;
  tenant: string;
  sub: string;
  roles: string[];
}
/** Echo ids a caller must never see, by kind, and the user ids of the other tenant. */
interface Foreign {
  ids: Record<Exclude<Kind, 'user'>, string[]>;
  users: string[];
}

/** What a path parameter names, from its name and the segment before it. */
function paramKind(path: string, param: string): Kind | 'tag' {
  const before = path.split('/')[path.split('/').indexOf(`:${param}`) - 1];
  if (param === 'integrationId') return 'integration';
  if (param === 'videoId') return 'video';
  if (param === 'userId') return 'user';
  if (param === 'tag') return 'tag';
  if (param === 'id' && before === 'tiktok') return 'integration';
  if (param === 'id' && before === 'permission-sets') return 'permission-set';
  if (param === 'id' && before === 'comments') return 'comment';
  if (param === 'id' && before === 'saved-replies') return 'permission-set'; // any foreign UUID: none is a saved reply of the caller
  throw new Error(`isolation: add the kind of :${param} in ${path}`);
}

/** A body that passes validation, so that only the lookup can refuse. */
function bodyFor(method: string, path: string): object | undefined {
  if (
    method === 'POST' &&
    (path.endsWith('/replies') || path.endsWith('/comments') || path.endsWith('/notes'))
  )
    return { text: 'hello there' };
  if (method === 'PATCH' && path.includes('/permission-sets/'))
    return { name: `renamed ${Math.random()}` };
  if (method === 'POST' && path.endsWith('/videos'))
    return { url: 'https://www.tiktok.com/@someone/video/7300000000000000001' };
  if (method === 'PUT' && path.endsWith('/assignee')) return { assigneeId: null };
  if (method === 'PUT' && path.endsWith('/presence')) return { activity: 'viewing' };
  return undefined;
}

/**
 * Tenant isolation as a property: two tenants, each with accounts, videos, comments, permission
 * sets and users, and one TikTok account connected by both. For random callers of either tenant
 * (admin, agent, auditor) and every route that takes an Echo id, another tenant's id, or (for an
 * agent) an id of an integration not shared with them, answers 404 (or 403 where the role may not
 * use the route at all), changes nothing, and no answer, event or stream line a caller can read
 * holds another tenant's Echo ids or user ids. TikTok's own ids of the shared account rightly
 * appear in both.
 */
describe('isolation between tenants and unshared integrations (property)', () => {
  let env: Awaited<ReturnType<typeof startAppWithSimulator>>;
  let routes: NestRoute[];
  const callers: Caller[] = [
    { name: 'acme admin', tenant: 'acme', sub: 'u-acme-admin-3c1f', roles: ['admin'] },
    { name: 'acme agent', tenant: 'acme', sub: 'u-acme-alice-8d2e', roles: ['agent'] },
    { name: 'acme auditor', tenant: 'acme', sub: 'u-acme-audrey-51a0', roles: ['auditor'] },
    { name: 'globex admin', tenant: 'globex', sub: 'u-globex-admin-9b7c', roles: ['admin'] },
    { name: 'globex agent', tenant: 'globex', sub: 'u-globex-bob-2e44', roles: ['agent'] },
  ];
  const foreign = new Map<string, Foreign>();
  const snapshot = async () =>
    asSuperuser(env.t.testDb, async (c) => {
      const q = async (sql: string) => (await c.query(sql)).rows as unknown[];
      return JSON.stringify([
        await q(`select id, status, tenant_id from tiktok_integration order by id`),
        await q(`select id, name, tenant_id from permission_set order by id`),
        await q(
          `select tenant_id, set_id, integration_id from permission_set_integration order by 1, 2, 3`,
        ),
        await q(`select tenant_id, set_id, user_id from permission_set_member order by 1, 2, 3`),
        await q(`select id, hidden, deleted from tiktok_comment order by id`),
        await q(`select count(*) from tiktok_comment`),
        await q(`select count(*) from tiktok_video`),
      ]);
    });

  beforeAll(async () => {
    env = await startAppWithSimulator({
      // the per-user request limit would answer most of a long run with 429 before any handler
      app: {
        env: { WORKERS: 'false', SYNC_INTERVAL_SECONDS: '60', RATE_LIMIT_PER_MINUTE: '10000000' },
      },
    });
    const { sim, t } = env;
    const adminOf = (tenant: string) =>
      callers.find((c) => c.tenant === tenant && c.roles[0] === 'admin')!;
    const tokenOf = (c: Caller) => t.token({ tenant: c.tenant, sub: c.sub, roles: c.roles });
    const account = (username: string) => {
      const a = sim.control.addAccount({ username });
      for (const v of seedVideos(sim, a.openId, 2))
        seedComments(sim, a.openId, v.itemId, 4, { withReplies: 1, repliesEach: 1 });
      return a;
    };
    const [a, b, shared, g] = [
      account('acme.one'),
      account('acme.two'),
      account('both.tenants'),
      account('globex.one'),
    ];
    const connect = async (tenant: string, openId: string) =>
      (await connectAccount(t, sim, openId, tokenOf(adminOf(tenant)))).connectedId!;
    const acmeA = await connect('acme', a.openId);
    await connect('acme', b.openId);
    await connect('acme', shared.openId);
    const globexG = await connect('globex', g.openId);
    await connect('globex', shared.openId);
    await syncUntilIdle(t);
    // acme shares only account A with its agent; globex shares G with its agent
    for (const [tenant, integ, member] of [
      ['acme', acmeA, callers[1]!.sub],
      ['globex', globexG, callers[4]!.sub],
    ] as const) {
      const admin = `Bearer ${tokenOf(adminOf(tenant))}`;
      const set = await request(t.url)
        .post('/api/v1/permission-sets')
        .set('authorization', admin)
        .send({ name: `${tenant} team` })
        .expect(201);
      await request(t.url)
        .put(`/api/v1/permission-sets/${set.body.id}/integrations/${integ}`)
        .set('authorization', admin)
        .expect(204);
      await request(t.url)
        .put(`/api/v1/permission-sets/${set.body.id}/members/${member}`)
        .set('authorization', admin)
        .expect(204);
      // a second set, with nobody in it
      await request(t.url)
        .post('/api/v1/permission-sets')
        .set('authorization', admin)
        .send({ name: `${tenant} empty` })
        .expect(201);
    }
    // every caller has used the service once (users are recorded from tokens)
    for (const c of callers)
      await request(t.url)
        .get('/api/v1/integrations/tiktok')
        .set('authorization', `Bearer ${tokenOf(c)}`);
    await t.app.get(Sealer).drain();

    // what each caller must not see
    const idsOf = async (where: string, args: unknown[]) =>
      asSuperuser(t.testDb, async (c) => ({
        integration: (
          await c.query(`select id from tiktok_integration i where ${where}`, args)
        ).rows.map((r: { id: string }) => r.id),
        video: (
          await c.query(
            `select id from tiktok_video i where ${where.replaceAll('i.id', 'i.integration_id')}`,
            args,
          )
        ).rows.map((r: { id: string }) => r.id),
        comment: (
          await c.query(
            `select id from tiktok_comment i where ${where.replaceAll('i.id', 'i.integration_id')}`,
            args,
          )
        ).rows.map((r: { id: string }) => r.id),
        'permission-set': (
          await c.query(`select id from permission_set i where i.tenant_id <> $1`, [args[0]])
        ).rows.map((r: { id: string }) => r.id),
      }));
    for (const c of callers) {
      const otherTenant = await idsOf(`i.tenant_id <> $1`, [c.tenant]);
      const users = callers.filter((o) => o.tenant !== c.tenant).map((o) => o.sub);
      if (c.roles.includes('agent')) {
        // an agent must not see its own tenant's unshared integrations either
        const unshared = await idsOf(
          `(i.tenant_id <> $1 or i.id not in (select integration_id from permission_set_integration si join permission_set_member sm
              on sm.tenant_id = si.tenant_id and sm.set_id = si.set_id where sm.user_id = $2))`,
          [c.tenant, c.sub],
        );
        foreign.set(c.name, {
          ids: { ...unshared, 'permission-set': otherTenant['permission-set'] },
          users,
        });
      } else {
        foreign.set(c.name, { ids: otherTenant, users });
      }
    }
    routes = nestRoutes(t.app).filter((r) => r.path.includes('/:') && !r.isPublic);
  }, 120_000);
  afterAll(async () => {
    await env?.close();
  });

  const tokenFor = (c: Caller) => env.t.token({ tenant: c.tenant, sub: c.sub, roles: c.roles });
  const leaks = (text: string, f: Foreign): string[] =>
    [...Object.values(f.ids).flat(), ...f.users].filter((id) => text.includes(id));

  it('finds something to test (the setup worked)', () => {
    for (const c of callers) {
      const f = foreign.get(c.name)!;
      expect([
        c.name,
        f.ids.integration.length > 0,
        f.ids.video.length > 0,
        f.ids.comment.length > 0,
      ]).toEqual([c.name, true, true, true]);
    }
    expect(routes.length).toBeGreaterThan(10);
  });

  // first, on what normal use wrote: the property tests below write audited reads whose `filters`
  // echo the foreign ids they typed (an audit record of the caller's own input, which reveals nothing)
  it("nothing a caller reads (lists, single reads, the event log, its export and stream) holds another tenant's ids or users", async () => {
    for (const c of callers) {
      const f = foreign.get(c.name)!;
      const auth = `Bearer ${tokenFor(c)}`;
      const texts: string[] = [];
      const get = async (path: string) => {
        const res = await request(env.t.url).get(path).set('authorization', auth);
        texts.push(`${path} ${res.text}`);
        return res;
      };
      const integrations = await get('/api/v1/integrations/tiktok');
      for (const i of (integrations.body.items ?? []) as { id: string }[]) {
        await get(`/api/v1/integrations/tiktok/${i.id}`);
        await get(`/api/v1/integrations/tiktok/${i.id}/videos?limit=200`);
      }
      const comments = await get('/api/v1/comments?limit=200');
      for (const cm of ((comments.body.items ?? []) as { id: string }[]).slice(0, 10))
        await get(`/api/v1/comments/${cm.id}`);
      await get('/api/v1/permission-sets');
      await env.t.app.get(Sealer).drain();
      await get('/api/v1/events?limit=200');
      await get('/api/v1/events/export');
      await get('/api/v1/events/checkpoints');
      if (!c.roles.includes('agent')) {
        const sse = await SseClient.connect(`${env.t.url}/api/v1/events/stream?after=0`, {
          authorization: auth,
        });
        expect(sse.status).toBe(200);
        const lines = await sse.waitFor(3);
        await sse.close();
        texts.push(...lines.map((m) => `stream ${m.data}`));
      }
      if (!c.roles.includes('auditor')) {
        // the inbox stream (admins and agents) replayed from the start
        const inbox = await SseClient.connect(`${env.t.url}/api/v1/inbox/stream?after=0`, {
          authorization: auth,
        });
        expect(inbox.status).toBe(200);
        const lines = await inbox.waitFor(1);
        await inbox.close();
        texts.push(...lines.map((m) => `inbox stream ${m.data}`));
      }
      for (const text of texts)
        expect([c.name, text.slice(0, 80), leaks(text, f)]).toEqual([
          c.name,
          text.slice(0, 80),
          [],
        ]);
      // the caller's own view is not empty (the scan read something real)
      if (!c.roles.includes('auditor'))
        expect([c.name, (comments.body.items ?? []).length > 0]).toEqual([c.name, true]);
    }
  });
  it("every id-bearing route answers 404 (or the role's 403) for an id the caller may not see, and changes nothing", async () => {
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...callers),
        fc.constantFrom(...routes),
        fc.nat(),
        async (caller, route, pick) => {
          const f = foreign.get(caller.name)!;
          const own = foreign.get(callers.find((c) => c.tenant !== caller.tenant)!.name)!; // the other tenant's foreign = this tenant's own
          const params = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
          // at least one parameter is foreign; the others are the caller tenant's own where that is possible
          const foreignAt = pick % params.length;
          const pathWith = (foreignValue: string | null) => {
            let path = route.path;
            params.forEach((p, i) => {
              const kind = paramKind(route.path, p);
              let value: string;
              if (kind === 'tag') value = 'vip';
              else if (i === foreignAt && foreignValue !== null) value = foreignValue;
              else if (kind === 'user')
                value = i === foreignAt ? f.users[pick % f.users.length]! : caller.sub;
              else {
                const pool = i === foreignAt ? f.ids[kind] : own.ids[kind];
                value = pool.length > 0 ? pool[pick % pool.length]! : f.ids[kind][0]!;
              }
              path = path.replace(`:${p}`, encodeURIComponent(value));
            });
            return path;
          };
          const path = pathWith(null);
          const send = async (p: string) => {
            const req = request(env.t.url)
              [route.method.toLowerCase() as 'get'](p)
              .set('authorization', `Bearer ${tokenFor(caller)}`);
            const body = bodyFor(route.method, route.path);
            return body ? req.send(body) : req;
          };
          const kindAtForeign = paramKind(route.path, params[foreignAt]!);
          const roleAllowed =
            route.roles === undefined || route.roles.some((r) => caller.roles.includes(r));
          const res = await send(path);
          const text = res.text ?? '';
          if (!roleAllowed) {
            expect([route.method, path, res.status]).toEqual([route.method, path, 403]);
          } else if (kindAtForeign === 'user') {
            // a member id is not a resource: adding another tenant's user id to one's own set is
            // allowed (user ids are the token's sub), but it must not reveal anything about that user
            expect([route.method, path, res.status < 500]).toEqual([route.method, path, true]);
          } else if (res.status !== 404) {
            // the only other answer allowed: the one an id that exists nowhere gets (removing what a
            // set does not hold is an idempotent 204), so the answer tells nothing about the id
            const unknown = await send(pathWith(randomUUID()));
            expect([route.method, path, res.status]).toEqual([route.method, path, unknown.status]);
            expect([route.method, path, res.status]).toEqual([route.method, path, 204]);
          }
          expect([
            route.method,
            path,
            leaks(text, { ids: f.ids, users: kindAtForeign === 'user' ? [] : f.users }),
          ]).toEqual([route.method, path, []]);
        },
      ),
      { numRuns: RUNS },
    );
    // nothing of the other tenant changed (member-id routes only touched the caller's own sets)
    const after = JSON.parse(await snapshot()) as unknown[][];
    const was = JSON.parse(before) as unknown[][];
    for (const i of [0, 1, 2, 4, 5, 6]) expect(after[i]).toEqual(was[i]);
  }, 300_000);

  it('list filters with ids the caller may not see answer an empty list or 404', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...callers),
        fc.nat(),
        fc.constantFrom('comments-integration', 'comments-video', 'events-integration'),
        async (caller, pick, which) => {
          const f = foreign.get(caller.name)!;
          const path =
            which === 'comments-integration'
              ? `/api/v1/comments?integrationId=${f.ids.integration[pick % f.ids.integration.length]}`
              : which === 'comments-video'
                ? `/api/v1/comments?videoId=${f.ids.video[pick % f.ids.video.length]}`
                : `/api/v1/events?integrationId=${f.ids.integration[pick % f.ids.integration.length]}`;
          const res = await request(env.t.url)
            .get(path)
            .set('authorization', `Bearer ${tokenFor(caller)}`);
          if (res.status === 403) {
            expect([path, caller.roles]).toEqual([
              path,
              which.startsWith('events') ? ['agent'] : ['auditor'],
            ]);
            return;
          }
          if (res.status !== 404) {
            expect([path, res.status, res.body.items]).toEqual([path, 200, []]);
          }
          expect(leaks(res.text, f)).toEqual([]);
        },
      ),
      { numRuns: Math.max(30, Math.floor(RUNS / 3)) },
    );
  });
});
