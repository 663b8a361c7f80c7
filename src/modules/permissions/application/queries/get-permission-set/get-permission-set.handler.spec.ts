import { inMemoryWorld } from '../../../testing/in-memory';
import { ListPermissionSetsHandler } from '../list-permission-sets/list-permission-sets.handler';
import { ListPermissionSetsQuery } from '../list-permission-sets/list-permission-sets.query';
import { GetPermissionSetHandler } from './get-permission-set.handler';
import { GetPermissionSetQuery } from './get-permission-set.query';

function setup() {
  const w = inMemoryWorld();
  w.sets.seed('acme', {
    id: 'set-2',
    name: 'B',
    integrationIds: ['int-1'],
    memberIds: ['alice'],
    createdAt: new Date('2026-12-01T10:00:00Z'),
  });
  w.sets.seed('acme', {
    id: 'set-1',
    name: 'A',
    integrationIds: [],
    memberIds: [],
    createdAt: new Date('2026-12-01T10:00:00Z'),
  });
  w.sets.seed('acme', {
    id: 'set-0',
    name: 'C',
    integrationIds: [],
    memberIds: [],
    createdAt: new Date('2026-12-01T11:00:00Z'),
  });
  w.sets.seed('other', { id: 'set-9', name: 'A', integrationIds: [], memberIds: [] });
  return {
    ...w,
    get: new GetPermissionSetHandler(w.db, w.sets),
    list: new ListPermissionSetsHandler(w.db, w.sets),
  };
}

describe('GetPermissionSetHandler and ListPermissionSetsHandler', () => {
  it('answer the PermissionSet resource (createdAt as ISO text)', async () => {
    const w = setup();
    await expect(w.get.execute(new GetPermissionSetQuery('acme', 'set-2'))).resolves.toEqual({
      id: 'set-2',
      name: 'B',
      integrationIds: ['int-1'],
      memberIds: ['alice'],
      createdAt: '2026-12-01T10:00:00.000Z',
    });
  });

  it("another tenant's set is NOT_FOUND", async () => {
    const w = setup();
    await expect(w.get.execute(new GetPermissionSetQuery('acme', 'set-9'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it("list: the tenant's sets, oldest first, then by id", async () => {
    const w = setup();
    expect((await w.list.execute(new ListPermissionSetsQuery('acme'))).map((s) => s.id)).toEqual([
      'set-1',
      'set-2',
      'set-0',
    ]);
  });
});
