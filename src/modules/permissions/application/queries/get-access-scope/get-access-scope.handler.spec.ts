import { GetAccessScopeQuery } from '@shared/auth/access-scope';
import { inMemoryWorld } from '../../../testing/in-memory';
import { GetAccessScopeHandler } from './get-access-scope.handler';

function setup() {
  const w = inMemoryWorld();
  w.sets.seed('acme', {
    id: 'set-1',
    name: 'A',
    integrationIds: ['int-1', 'int-2'],
    memberIds: ['alice'],
  });
  w.sets.seed('acme', {
    id: 'set-2',
    name: 'B',
    integrationIds: ['int-2', 'int-3'],
    memberIds: ['alice', 'bob'],
  });
  w.sets.seed('other', { id: 'set-9', name: 'A', integrationIds: ['int-9'], memberIds: ['alice'] });
  return { ...w, handler: new GetAccessScopeHandler(w.db, w.sets) };
}
const ask = (roles: string[], userId = 'alice') =>
  new GetAccessScopeQuery({ tenant: 'acme', userId, roles });

describe('GetAccessScopeHandler', () => {
  it('admins see every integration of their tenant, without reading a set', async () => {
    const w = setup();
    await expect(w.handler.execute(ask(['admin']))).resolves.toEqual({ kind: 'all' });
    await expect(w.handler.execute(ask(['agent', 'admin']))).resolves.toEqual({ kind: 'all' });
    expect(w.database.transactions).toBe(0);
  });

  it("agents see what their tenant's sets share with them, each integration once", async () => {
    const w = setup();
    const alice = await w.handler.execute(ask(['agent']));
    expect(alice.kind === 'some' && [...alice.integrationIds].sort()).toEqual([
      'int-1',
      'int-2',
      'int-3',
    ]);
    await expect(w.handler.execute(ask(['agent'], 'bob'))).resolves.toEqual({
      kind: 'some',
      integrationIds: ['int-2', 'int-3'],
    });
    await expect(w.handler.execute(ask(['agent'], 'carol'))).resolves.toEqual({
      kind: 'some',
      integrationIds: [],
    });
  });

  it('auditors (and callers with no known role) see none, even as members of a set', async () => {
    const w = setup();
    await expect(w.handler.execute(ask(['auditor']))).resolves.toEqual({
      kind: 'some',
      integrationIds: [],
    });
    await expect(w.handler.execute(ask([]))).resolves.toEqual({ kind: 'some', integrationIds: [] });
  });
});
