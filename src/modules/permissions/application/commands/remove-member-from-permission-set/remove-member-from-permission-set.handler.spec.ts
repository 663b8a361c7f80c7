import { inMemoryWorld } from '../../../testing/in-memory';
import { RemoveMemberFromPermissionSetCommand } from './remove-member-from-permission-set.command';
import { RemoveMemberFromPermissionSetHandler } from './remove-member-from-permission-set.handler';

const ada = { type: 'user' as const, id: 'ada' };

function setup() {
  const w = inMemoryWorld();
  w.sets.seed('acme', {
    id: 'set-1',
    name: 'Support team',
    integrationIds: ['int-1'],
    memberIds: ['alice', 'bob'],
  });
  w.sets.seed('other', {
    id: 'set-9',
    name: 'Other',
    integrationIds: ['int-1'],
    memberIds: ['alice', 'bob'],
  });
  return { ...w, handler: new RemoveMemberFromPermissionSetHandler(w.db, w.eventLog, w.sets) };
}

describe('RemoveMemberFromPermissionSetHandler', () => {
  it('changes the set and appends permissions.set.changed (member-removed) in the same transaction', async () => {
    const w = setup();
    await w.handler.execute(
      new RemoveMemberFromPermissionSetCommand('acme', ada, 'set-1', 'alice'),
    );
    expect(w.sets.rows.get('set-1')?.memberIds).toEqual(['bob']);
    expect(w.log.committed).toEqual([
      {
        tenant: 'acme',
        type: 'permissions.set.changed',
        actor: ada,
        subject: { type: 'permission-set', id: 'set-1' },
        data: { permissionSetId: 'set-1', kind: 'member-removed', userId: 'alice' },
        integrationId: null,
      },
    ]);
    expect(w.database.transactions).toBe(1);
  });

  it('is idempotent: the same call again, or one that changes nothing, logs nothing more', async () => {
    const w = setup();
    await w.handler.execute(
      new RemoveMemberFromPermissionSetCommand('acme', ada, 'set-1', 'alice'),
    );
    await w.handler.execute(
      new RemoveMemberFromPermissionSetCommand('acme', ada, 'set-1', 'alice'),
    );
    await w.handler.execute(
      new RemoveMemberFromPermissionSetCommand('acme', ada, 'set-1', 'carol'),
    );
    expect(w.sets.rows.get('set-1')?.memberIds).toEqual(['bob']);
    expect(w.log.committed).toHaveLength(1);
  });

  it("another tenant's set, or none: NOT_FOUND, nothing changed", async () => {
    const w = setup();
    await expect(
      w.handler.execute(new RemoveMemberFromPermissionSetCommand('acme', ada, 'set-9', 'alice')),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      w.handler.execute(new RemoveMemberFromPermissionSetCommand('acme', ada, 'set-x', 'alice')),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(w.sets.rows.get('set-9')?.memberIds).toEqual(['alice', 'bob']);
    expect(w.log.committed).toEqual([]);
  });
});
