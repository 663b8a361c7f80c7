import { inMemoryWorld } from '../../../testing/in-memory';
import { RemoveIntegrationFromPermissionSetCommand } from './remove-integration-from-permission-set.command';
import { RemoveIntegrationFromPermissionSetHandler } from './remove-integration-from-permission-set.handler';

const ada = { type: 'user' as const, id: 'ada' };

function setup() {
  const w = inMemoryWorld();
  w.sets.seed('acme', {
    id: 'set-1',
    name: 'Support team',
    integrationIds: ['int-1', 'int-2'],
    memberIds: ['alice'],
  });
  w.sets.seed('other', {
    id: 'set-9',
    name: 'Other',
    integrationIds: ['int-1', 'int-2'],
    memberIds: ['alice'],
  });
  return { ...w, handler: new RemoveIntegrationFromPermissionSetHandler(w.db, w.eventLog, w.sets) };
}

describe('RemoveIntegrationFromPermissionSetHandler', () => {
  it('changes the set and appends permissions.set.changed (integration-removed) in the same transaction', async () => {
    const w = setup();
    await w.handler.execute(
      new RemoveIntegrationFromPermissionSetCommand('acme', ada, 'set-1', 'int-1'),
    );
    expect(w.sets.rows.get('set-1')?.integrationIds).toEqual(['int-2']);
    expect(w.log.committed).toEqual([
      {
        tenant: 'acme',
        type: 'permissions.set.changed',
        actor: ada,
        subject: { type: 'permission-set', id: 'set-1' },
        data: { permissionSetId: 'set-1', kind: 'integration-removed', integrationId: 'int-1' },
        integrationId: 'int-1',
      },
    ]);
    expect(w.database.transactions).toBe(1);
  });

  it('is idempotent: the same call again, or one that changes nothing, logs nothing more', async () => {
    const w = setup();
    await w.handler.execute(
      new RemoveIntegrationFromPermissionSetCommand('acme', ada, 'set-1', 'int-1'),
    );
    await w.handler.execute(
      new RemoveIntegrationFromPermissionSetCommand('acme', ada, 'set-1', 'int-1'),
    );
    await w.handler.execute(
      new RemoveIntegrationFromPermissionSetCommand('acme', ada, 'set-1', 'int-3'),
    );
    expect(w.sets.rows.get('set-1')?.integrationIds).toEqual(['int-2']);
    expect(w.log.committed).toHaveLength(1);
  });

  it("another tenant's set, or none: NOT_FOUND, nothing changed", async () => {
    const w = setup();
    await expect(
      w.handler.execute(
        new RemoveIntegrationFromPermissionSetCommand('acme', ada, 'set-9', 'int-1'),
      ),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      w.handler.execute(
        new RemoveIntegrationFromPermissionSetCommand('acme', ada, 'set-x', 'int-1'),
      ),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(w.sets.rows.get('set-9')?.integrationIds).toEqual(['int-1', 'int-2']);
    expect(w.log.committed).toEqual([]);
  });
});
