import { inMemoryWorld } from '../../../testing/in-memory';
import { CreatePermissionSetCommand } from './create-permission-set.command';
import { CreatePermissionSetHandler } from './create-permission-set.handler';

const ada = { type: 'user' as const, id: 'ada' };

function setup() {
  const w = inMemoryWorld();
  return { ...w, handler: new CreatePermissionSetHandler(w.db, w.eventLog, w.sets) };
}

describe('CreatePermissionSetHandler', () => {
  it('stores the set (name trimmed) and appends permissions.set.created in the same transaction', async () => {
    const w = setup();
    const id = await w.handler.execute(
      new CreatePermissionSetCommand('acme', ada, '  Support team  '),
    );
    expect([...w.sets.rows.values()]).toMatchObject([
      { tenant: 'acme', id, name: 'Support team', integrationIds: [], memberIds: [] },
    ]);
    expect(w.log.committed).toEqual([
      {
        tenant: 'acme',
        type: 'permissions.set.created',
        actor: ada,
        subject: { type: 'permission-set', id },
        data: { permissionSetId: id, name: 'Support team' },
      },
    ]);
    expect(w.database.transactions).toBe(1);
  });

  it('refuses a name another set of the tenant has: PERMISSION_SET_NAME_TAKEN, nothing stored or logged', async () => {
    const w = setup();
    w.sets.seed('acme', { id: 'set-1', name: 'Support team', integrationIds: [], memberIds: [] });
    await expect(
      w.handler.execute(new CreatePermissionSetCommand('acme', ada, 'Support team ')),
    ).rejects.toMatchObject({
      code: 'PERMISSION_SET_NAME_TAKEN',
    });
    expect(w.sets.rows.size).toBe(1);
    expect(w.log.committed).toEqual([]);
  });

  it('names are unique per tenant and compared exactly (case counts)', async () => {
    const w = setup();
    w.sets.seed('other', { id: 'set-1', name: 'Support team', integrationIds: [], memberIds: [] });
    await w.handler.execute(new CreatePermissionSetCommand('acme', ada, 'Support team'));
    await w.handler.execute(new CreatePermissionSetCommand('acme', ada, 'support team'));
    expect([...w.sets.rows.values()].map((r) => [r.tenant, r.name])).toEqual([
      ['other', 'Support team'],
      ['acme', 'Support team'],
      ['acme', 'support team'],
    ]);
  });

  it('refuses a blank name with VALIDATION_FAILED before any transaction', async () => {
    const w = setup();
    await expect(
      w.handler.execute(new CreatePermissionSetCommand('acme', ada, '   ')),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(w.database.transactions).toBe(0);
  });
});
