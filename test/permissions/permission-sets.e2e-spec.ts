import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { RunningSimulator } from '../../src/sandbox/tiktok-simulator';
import type { TestApp } from '../support/app';
import { asSuperuser } from '../support/database';
import { eventually } from '../support/eventually';
import { startAppWithSimulator } from '../support/tiktok';
import {
  seedComments,
  seedIntegration,
  seedVideo,
  type SeededIntegration,
} from '../factories/inbox';

interface LoggedEvent {
  seq: number;
  type: string;
  actor: { type: string; id: string };
  subject: { type: string; id: string };
  data: Record<string, unknown>;
}

/**
 * Every permission-set route (API.md "Permission sets") for every role, its answers, the
 * `permissions.set.*` events read back from the log as an auditor reads them, and what an agent
 * sees (integrations, comments) as sets change.
 */
describe('permission sets (/permission-sets)', () => {
  let sim: RunningSimulator;
  let t: TestApp;
  let closeAll: () => Promise<void>;
  let a: SeededIntegration;
  let b: SeededIntegration;
  let foreign: SeededIntegration;
  let commentA: string;
  let commentB: string;

  const admin = () => t.token({ sub: 'ada', tenant: 'acme', roles: ['admin'] });
  const auditor = () => t.token({ sub: 'audrey', tenant: 'acme', roles: ['auditor'] });
  const alice = () => t.token({ sub: 'alice', tenant: 'acme', roles: ['agent'] });
  const globexAdmin = () => t.token({ sub: 'gus', tenant: 'globex', roles: ['admin'] });
  const api = (token: string) => ({
    get: (p: string) => request(t.url).get(`/api/v1${p}`).set('authorization', `Bearer ${token}`),
    post: (p: string, body?: object) =>
      request(t.url).post(`/api/v1${p}`).set('authorization', `Bearer ${token}`).send(body),
    patch: (p: string, body?: object) =>
      request(t.url).patch(`/api/v1${p}`).set('authorization', `Bearer ${token}`).send(body),
    put: (p: string) => request(t.url).put(`/api/v1${p}`).set('authorization', `Bearer ${token}`),
    delete: (p: string) =>
      request(t.url).delete(`/api/v1${p}`).set('authorization', `Bearer ${token}`),
  });
  const ada = { type: 'user', id: 'ada' };
  const subject = (id: string) => ({ type: 'permission-set', id });

  async function create(name: string): Promise<{
    id: string;
    name: string;
    integrationIds: string[];
    memberIds: string[];
    createdAt: string;
  }> {
    return (await api(admin()).post('/permission-sets', { name }).expect(201)).body;
  }

  /** Every sealed event of a type in acme, as an auditor pages through GET /events. */
  async function logged(type: string, query = ''): Promise<LoggedEvent[]> {
    const out: LoggedEvent[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await api(auditor())
        .get(`/events?type=${type}&limit=200${query}${cursor ? `&cursor=${cursor}` : ''}`)
        .expect(200);
      out.push(...(res.body.items as LoggedEvent[]));
      cursor = res.body.nextCursor;
    } while (cursor);
    return out;
  }

  /** The `permissions.set.*` events of one set, oldest first, once `count` of them are sealed. */
  async function eventsOfSet(setId: string, count: number): Promise<Omit<LoggedEvent, 'seq'>[]> {
    return eventually(async () => {
      const all = [
        ...(await logged('permissions.set.created')),
        ...(await logged('permissions.set.changed')),
        ...(await logged('permissions.set.deleted')),
      ]
        .filter((e) => e.subject.id === setId)
        .sort((x, y) => x.seq - y.seq);
      expect(all).toHaveLength(count);
      return all.map(({ type, actor, subject, data }) => ({ type, actor, subject, data }));
    });
  }

  beforeAll(async () => {
    ({ sim, t, close: closeAll } = await startAppWithSimulator());
    a = await seedIntegration(t, sim, { username: 'perm_a' });
    b = await seedIntegration(t, sim, { username: 'perm_b' });
    foreign = await seedIntegration(t, sim, { tenant: 'globex', username: 'perm_globex' });
    const videoA = await seedVideo(t, sim, a, { caption: 'a video' });
    const videoB = await seedVideo(t, sim, b, { caption: 'b video' });
    [{ id: commentA }] = await seedComments(t, sim, a, videoA, [{ text: 'hello from a fan of A' }]);
    [{ id: commentB }] = await seedComments(t, sim, b, videoB, [{ text: 'hello from a fan of B' }]);
  });
  afterAll(async () => {
    await closeAll?.();
  });

  it('create answers 201 with the set (name trimmed), get and list answer it, permissions.set.created is logged', async () => {
    const set = await create('  Support team  ');
    expect(set).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Support team',
      integrationIds: [],
      memberIds: [],
      createdAt: expect.any(String),
    });
    expect(new Date(set.createdAt).toISOString()).toBe(set.createdAt);
    await api(admin()).get(`/permission-sets/${set.id}`).expect(200, set);
    const list = await api(admin()).get('/permission-sets').expect(200);
    expect(list.body.nextCursor).toBeNull();
    expect(list.body.items).toContainEqual(set);
    expect(await eventsOfSet(set.id, 1)).toEqual([
      {
        type: 'permissions.set.created',
        actor: ada,
        subject: subject(set.id),
        data: { permissionSetId: set.id, name: 'Support team' },
      },
    ]);
  });

  it('list: every set of the tenant, oldest first, with its integrations and members', async () => {
    const first = await create(`list-1-${randomUUID()}`);
    const second = await create(`list-2-${randomUUID()}`);
    await api(admin()).put(`/permission-sets/${second.id}/integrations/${a.id}`).expect(204);
    await api(admin()).put(`/permission-sets/${second.id}/members/zed`).expect(204);
    await api(admin()).put(`/permission-sets/${second.id}/members/bob`).expect(204);
    const items: { id: string }[] = (await api(admin()).get('/permission-sets').expect(200)).body
      .items;
    const ids = items.map((s) => s.id);
    expect(ids.indexOf(first.id)).toBeLessThan(ids.indexOf(second.id));
    expect(items.find((s) => s.id === second.id)).toEqual({
      ...second,
      integrationIds: [a.id],
      memberIds: ['bob', 'zed'],
    });
    // another tenant's list does not show them
    const theirs: { id: string }[] = (await api(globexAdmin()).get('/permission-sets').expect(200))
      .body.items;
    expect(theirs.map((s) => s.id)).not.toContain(first.id);
  });

  it('rename answers 200 with the set and logs renamed (from, to); the same name again logs nothing', async () => {
    const set = await create('Night shift');
    const renamed = await api(admin())
      .patch(`/permission-sets/${set.id}`, { name: ' Late shift ' })
      .expect(200);
    expect(renamed.body).toEqual({ ...set, name: 'Late shift' });
    await api(admin())
      .patch(`/permission-sets/${set.id}`, { name: 'Late shift' })
      .expect(200, renamed.body);
    // a later change, to know every event before it is sealed
    await api(admin()).patch(`/permission-sets/${set.id}`, { name: 'late shift' }).expect(200);
    expect(await eventsOfSet(set.id, 3)).toEqual([
      {
        type: 'permissions.set.created',
        actor: ada,
        subject: subject(set.id),
        data: { permissionSetId: set.id, name: 'Night shift' },
      },
      {
        type: 'permissions.set.changed',
        actor: ada,
        subject: subject(set.id),
        data: { permissionSetId: set.id, kind: 'renamed', from: 'Night shift', to: 'Late shift' },
      },
      {
        type: 'permissions.set.changed',
        actor: ada,
        subject: subject(set.id),
        data: { permissionSetId: set.id, kind: 'renamed', from: 'Late shift', to: 'late shift' },
      },
    ]);
  });

  it('409 PERMISSION_SET_NAME_TAKEN on create and rename (after trimming; case counts, as names are compared exactly)', async () => {
    const taken = await create('Escalations');
    const other = await create('Billing');
    const dup = await api(admin()).post('/permission-sets', { name: ' Escalations ' }).expect(409);
    expect(dup.body.error).toMatchObject({
      code: 'PERMISSION_SET_NAME_TAKEN',
      requestId: expect.any(String),
    });
    const clash = await api(admin())
      .patch(`/permission-sets/${other.id}`, { name: 'Escalations' })
      .expect(409);
    expect(clash.body.error.code).toBe('PERMISSION_SET_NAME_TAKEN');
    await api(admin()).get(`/permission-sets/${other.id}`).expect(200, other);
    // another case is another name, today as before
    const cased = await api(admin()).post('/permission-sets', { name: 'escalations' }).expect(201);
    await api(admin())
      .patch(`/permission-sets/${cased.body.id}`, { name: 'ESCALATIONS' })
      .expect(200);
    // the same name in another tenant is free
    await api(globexAdmin()).post('/permission-sets', { name: 'Escalations' }).expect(201);
    // nothing was logged for the refusals: Billing has only its creation, Escalations too
    await api(admin()).put(`/permission-sets/${other.id}/members/sentinel`).expect(204);
    expect((await eventsOfSet(other.id, 2)).map((e) => e.data)).toEqual([
      { permissionSetId: other.id, name: 'Billing' },
      { permissionSetId: other.id, kind: 'member-added', userId: 'sentinel' },
    ]);
    const names = (await logged('permissions.set.created')).map((e) => e.data.name);
    expect(names.filter((n) => n === 'Escalations')).toHaveLength(1);
    expect(taken.name).toBe('Escalations');
  });

  it('concurrent creates and renames to one name: exactly one wins, the others get 409 (never a 500)', async () => {
    const name = `race-${randomUUID()}`;
    const creates = await Promise.all(
      Array.from({ length: 4 }, () => api(admin()).post('/permission-sets', { name })),
    );
    expect(creates.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    const sets = await Promise.all(
      Array.from({ length: 4 }, () => create(`race-src-${randomUUID()}`)),
    );
    const target = `race-${randomUUID()}`;
    const renames = await Promise.all(
      sets.map((s) => api(admin()).patch(`/permission-sets/${s.id}`, { name: target })),
    );
    expect(renames.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    expect(renames.filter((r) => r.status === 409).map((r) => r.body.error.code)).toEqual(
      Array(3).fill('PERMISSION_SET_NAME_TAKEN'),
    );
    const items: { name: string }[] = (await api(admin()).get('/permission-sets').expect(200)).body
      .items;
    expect(items.filter((s) => s.name === target)).toHaveLength(1);
  });

  it.each([
    ['missing', {}],
    ['empty', { name: '' }],
    ['blank', { name: '   ' }],
    ['101 characters', { name: 'x'.repeat(101) }],
    ['not a string', { name: 42 }],
  ])(
    '400 VALIDATION_FAILED for a name that is %s (create and rename), nothing stored',
    async (_, body) => {
      const set = await create(`valid-${randomUUID()}`);
      const before = (await api(admin()).get('/permission-sets').expect(200)).body.items.length;
      for (const res of [
        await api(admin()).post('/permission-sets', body),
        await api(admin()).patch(`/permission-sets/${set.id}`, body),
      ]) {
        expect(res.status).toBe(400);
        expect(res.body.error).toMatchObject({
          code: 'VALIDATION_FAILED',
          details: expect.arrayContaining([expect.objectContaining({ field: 'name' })]),
        });
      }
      expect((await api(admin()).get('/permission-sets').expect(200)).body.items).toHaveLength(
        before,
      );
      await api(admin()).get(`/permission-sets/${set.id}`).expect(200, set);
    },
  );

  it('a name of exactly 100 characters is accepted', async () => {
    const name = `${randomUUID()}${'n'.repeat(64)}`;
    expect(name).toHaveLength(100);
    expect((await create(name)).name).toBe(name);
  });

  it('integrations: PUT and DELETE answer 204, are idempotent, and log integration-added/-removed (found by ?integrationId=)', async () => {
    const set = await create(`integrations-${randomUUID()}`);
    await api(admin()).put(`/permission-sets/${set.id}/integrations/${a.id}`).expect(204);
    await api(admin()).put(`/permission-sets/${set.id}/integrations/${a.id}`).expect(204);
    await api(admin()).put(`/permission-sets/${set.id}/integrations/${b.id}`).expect(204);
    expect(
      (await api(admin()).get(`/permission-sets/${set.id}`).expect(200)).body.integrationIds,
    ).toEqual([a.id, b.id].sort());
    await api(admin()).delete(`/permission-sets/${set.id}/integrations/${a.id}`).expect(204);
    await api(admin()).delete(`/permission-sets/${set.id}/integrations/${a.id}`).expect(204);
    expect(
      (await api(admin()).get(`/permission-sets/${set.id}`).expect(200)).body.integrationIds,
    ).toEqual([b.id]);
    const change = (kind: string, integrationId: string) => ({
      type: 'permissions.set.changed',
      actor: ada,
      subject: subject(set.id),
      data: { permissionSetId: set.id, kind, integrationId },
    });
    expect((await eventsOfSet(set.id, 4)).slice(1)).toEqual([
      change('integration-added', a.id),
      change('integration-added', b.id),
      change('integration-removed', a.id),
    ]);
    const forA = (await logged('permissions.set.changed', `&integrationId=${a.id}`)).filter(
      (e) => e.subject.id === set.id,
    );
    expect(forA.map((e) => e.data.kind)).toEqual(['integration-added', 'integration-removed']);
    // the integration must be the tenant's: unknown, another tenant's, or not a UUID is 404
    for (const id of [randomUUID(), foreign.id, 'not-a-uuid']) {
      const res = await api(admin())
        .put(`/permission-sets/${set.id}/integrations/${id}`)
        .expect(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    await api(admin()).delete(`/permission-sets/${set.id}/integrations/not-a-uuid`).expect(404);
    expect(
      (await api(admin()).get(`/permission-sets/${set.id}`).expect(200)).body.integrationIds,
    ).toEqual([b.id]);
  });

  it('members: PUT and DELETE answer 204, are idempotent, and log member-added/-removed', async () => {
    const set = await create(`members-${randomUUID()}`);
    await api(admin()).put(`/permission-sets/${set.id}/members/carol`).expect(204);
    await api(admin()).put(`/permission-sets/${set.id}/members/carol`).expect(204);
    await api(admin()).put(`/permission-sets/${set.id}/members/alice`).expect(204);
    expect(
      (await api(admin()).get(`/permission-sets/${set.id}`).expect(200)).body.memberIds,
    ).toEqual(['alice', 'carol']);
    await api(admin()).delete(`/permission-sets/${set.id}/members/carol`).expect(204);
    await api(admin()).delete(`/permission-sets/${set.id}/members/carol`).expect(204);
    await api(admin()).delete(`/permission-sets/${set.id}/members/nobody`).expect(204);
    expect(
      (await api(admin()).get(`/permission-sets/${set.id}`).expect(200)).body.memberIds,
    ).toEqual(['alice']);
    const change = (kind: string, userId: string) => ({
      type: 'permissions.set.changed',
      actor: ada,
      subject: subject(set.id),
      data: { permissionSetId: set.id, kind, userId },
    });
    expect((await eventsOfSet(set.id, 4)).slice(1)).toEqual([
      change('member-added', 'carol'),
      change('member-added', 'alice'),
      change('member-removed', 'carol'),
    ]);
  });

  it('delete answers 204, the set is gone (404 after), and permissions.set.deleted carries what it held', async () => {
    const set = await create(`doomed-${randomUUID()}`);
    await api(admin()).put(`/permission-sets/${set.id}/integrations/${b.id}`).expect(204);
    await api(admin()).put(`/permission-sets/${set.id}/integrations/${a.id}`).expect(204);
    await api(admin()).put(`/permission-sets/${set.id}/members/zoe`).expect(204);
    await api(admin()).put(`/permission-sets/${set.id}/members/alice`).expect(204);
    await api(admin()).delete(`/permission-sets/${set.id}`).expect(204);
    await api(admin()).get(`/permission-sets/${set.id}`).expect(404);
    await api(admin()).delete(`/permission-sets/${set.id}`).expect(404);
    await api(admin()).put(`/permission-sets/${set.id}/members/alice`).expect(404);
    const events = await eventsOfSet(set.id, 6);
    expect(events[5]).toEqual({
      type: 'permissions.set.deleted',
      actor: ada,
      subject: subject(set.id),
      data: {
        permissionSetId: set.id,
        name: set.name,
        integrationIds: [a.id, b.id].sort(),
        memberIds: ['alice', 'zoe'],
      },
    });
    // its rows went with it
    const left = await asSuperuser(t.testDb, async (c) => {
      const r = await c.query(
        `select (select count(*) from permission_set_integration where set_id = $1)::int + (select count(*) from permission_set_member where set_id = $1)::int as n`,
        [set.id],
      );
      return r.rows[0].n as number;
    });
    expect(left).toBe(0);
  });

  it('403 FORBIDDEN on every route for agents and auditors, and nothing changes', async () => {
    const set = await create(`guarded-${randomUUID()}`);
    for (const token of [alice(), auditor()]) {
      const as = api(token);
      for (const res of [
        await as.post('/permission-sets', { name: 'mine' }),
        await as.get('/permission-sets'),
        await as.get(`/permission-sets/${set.id}`),
        await as.patch(`/permission-sets/${set.id}`, { name: 'mine' }),
        await as.delete(`/permission-sets/${set.id}`),
        await as.put(`/permission-sets/${set.id}/integrations/${a.id}`),
        await as.delete(`/permission-sets/${set.id}/integrations/${a.id}`),
        await as.put(`/permission-sets/${set.id}/members/alice`),
        await as.delete(`/permission-sets/${set.id}/members/alice`),
      ]) {
        expect([res.status, res.body.error?.code]).toEqual([403, 'FORBIDDEN']);
      }
    }
    await api(admin()).get(`/permission-sets/${set.id}`).expect(200, set);
  });

  it("404 NOT_FOUND on every route for another tenant's set, which stays as it was", async () => {
    const theirs = (
      await api(globexAdmin())
        .post('/permission-sets', { name: `theirs-${randomUUID()}` })
        .expect(201)
    ).body;
    await api(globexAdmin())
      .put(`/permission-sets/${theirs.id}/integrations/${foreign.id}`)
      .expect(204);
    await api(globexAdmin()).put(`/permission-sets/${theirs.id}/members/gina`).expect(204);
    const after = (await api(globexAdmin()).get(`/permission-sets/${theirs.id}`).expect(200)).body;
    const as = api(admin());
    for (const res of [
      await as.get(`/permission-sets/${theirs.id}`),
      await as.patch(`/permission-sets/${theirs.id}`, { name: 'hijacked' }),
      await as.delete(`/permission-sets/${theirs.id}`),
      await as.put(`/permission-sets/${theirs.id}/integrations/${a.id}`),
      await as.delete(`/permission-sets/${theirs.id}/integrations/${foreign.id}`),
      await as.put(`/permission-sets/${theirs.id}/members/alice`),
      await as.delete(`/permission-sets/${theirs.id}/members/gina`),
      await as.get(`/permission-sets/${randomUUID()}`),
      await as.get('/permission-sets/not-a-uuid'),
    ]) {
      expect([res.status, res.body.error?.code]).toEqual([404, 'NOT_FOUND']);
    }
    await api(globexAdmin()).get(`/permission-sets/${theirs.id}`).expect(200, after);
  });

  it('an agent sees exactly the integrations and comments their sets share, as members and integrations change', async () => {
    const as = api(alice());
    const seen = async () => {
      const integrations: { id: string }[] = (await as.get('/integrations/tiktok').expect(200)).body
        .items;
      const comments: { id: string; integrationId: string }[] = (
        await as.get('/comments?limit=200').expect(200)
      ).body.items;
      return {
        integrations: integrations.map((i) => i.id).sort(),
        comments: comments
          .filter((c) => [commentA, commentB].includes(c.id))
          .map((c) => c.id)
          .sort(),
      };
    };
    // alice may already be in sets made by the tests above: start from none
    const sets: { id: string; memberIds: string[] }[] = (
      await api(admin()).get('/permission-sets').expect(200)
    ).body.items;
    for (const s of sets.filter((x) => x.memberIds.includes('alice')))
      await api(admin()).delete(`/permission-sets/${s.id}/members/alice`).expect(204);
    expect(await seen()).toEqual({ integrations: [], comments: [] });

    const set = await create(`visibility-${randomUUID()}`);
    await api(admin()).put(`/permission-sets/${set.id}/integrations/${a.id}`).expect(204);
    expect(await seen()).toEqual({ integrations: [], comments: [] }); // not a member yet
    await api(admin()).get(`/comments/${commentA}`).expect(200);
    await as.get(`/comments/${commentA}`).expect(404);

    await api(admin()).put(`/permission-sets/${set.id}/members/alice`).expect(204);
    expect(await seen()).toEqual({ integrations: [a.id], comments: [commentA] });
    await as.get(`/comments/${commentA}`).expect(200);
    await as.get(`/comments/${commentB}`).expect(404);
    await as.get(`/integrations/tiktok/${b.id}`).expect(404);

    await api(admin()).put(`/permission-sets/${set.id}/integrations/${b.id}`).expect(204);
    expect(await seen()).toEqual({
      integrations: [a.id, b.id].sort(),
      comments: [commentA, commentB].sort(),
    });

    await api(admin()).delete(`/permission-sets/${set.id}/integrations/${a.id}`).expect(204);
    expect(await seen()).toEqual({ integrations: [b.id], comments: [commentB] });
    await as.get(`/integrations/tiktok/${a.id}`).expect(404);

    await api(admin()).delete(`/permission-sets/${set.id}/members/alice`).expect(204);
    expect(await seen()).toEqual({ integrations: [], comments: [] });

    await api(admin()).put(`/permission-sets/${set.id}/members/alice`).expect(204);
    expect(await seen()).toEqual({ integrations: [b.id], comments: [commentB] });
    await api(admin()).delete(`/permission-sets/${set.id}`).expect(204);
    expect(await seen()).toEqual({ integrations: [], comments: [] });

    // the admin sees both all along, with the sets that share them
    const adminView: { id: string; permissionSetIds: string[] }[] = (
      await api(admin()).get('/integrations/tiktok').expect(200)
    ).body.items;
    expect(adminView.map((i) => i.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(adminView.find((i) => i.id === a.id)?.permissionSetIds).not.toContain(set.id);
  });
});
