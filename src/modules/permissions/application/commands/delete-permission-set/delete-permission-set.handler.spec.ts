import { inMemoryWorld } from '../../../testing/in-memory';
import { DeletePermissionSetCommand } from './delete-permission-set.command';
import { DeletePermissionSetHandler } from './delete-permission-set.handler';

const ada = { type: 'user' as const, id: 'ada' };

function setup() {
  const w = inMemoryWorld();
  w.sets.seed('acme', {
    id: 'set-1',
    name: 'Support team',
    integrationIds: ['int-1', 'int-2'],
    memberIds: ['alice', 'bob'],
  });
  w.sets.seed('other', { id: 'set-9', name: 'Other', integrationIds: [], memberIds: [] });
  return { ...w, handler: new DeletePermissionSetHandler(w.db, w.eventLog, w.sets) };
}

describe('DeletePermissionSetHandler', () => {
  it('deletes the set and appends permissions.set.deleted with what it held', async () => {
    const w = setup();
    await w.handler.execute(new DeletePermissionSetCommand('acme', ada, 'set-1'));
    expect(w.sets.rows.has('set-1')).toBe(false);
    expect(w.log.committed).toEqual([
      {
        tenant: 'acme',
        type: 'permissions.set.deleted',
        actor: ada,
        subject: { type: 'permission-set', id: 'set-1' },
        data: {
          permissionSetId: 'set-1',
          name: 'Support team',
          integrationIds: ['int-1', 'int-2'],
          memberIds: ['alice', 'bob'],
        },
      },
    ]);
  });

  it("another tenant's set, or one already deleted: NOT_FOUND, nothing logged", async () => {
    const w = setup();
    await expect(
      w.handler.execute(new DeletePermissionSetCommand('acme', ada, 'set-9')),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(w.sets.rows.has('set-9')).toBe(true);
    await w.handler.execute(new DeletePermissionSetCommand('acme', ada, 'set-1'));
    await expect(
      w.handler.execute(new DeletePermissionSetCommand('acme', ada, 'set-1')),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(w.log.committed.map((e) => e.type)).toEqual(['permissions.set.deleted']);
  });
});
