import { inMemoryWorld } from '../../../testing/in-memory';
import { RenamePermissionSetCommand } from './rename-permission-set.command';
import { RenamePermissionSetHandler } from './rename-permission-set.handler';

const ada = { type: 'user' as const, id: 'ada' };

function setup() {
  const w = inMemoryWorld();
  w.sets.seed('acme', {
    id: 'set-1',
    name: 'Support team',
    integrationIds: ['int-1'],
    memberIds: ['alice'],
  });
  w.sets.seed('acme', { id: 'set-2', name: 'Sales', integrationIds: [], memberIds: [] });
  w.sets.seed('other', { id: 'set-9', name: 'Other', integrationIds: [], memberIds: [] });
  return { ...w, handler: new RenamePermissionSetHandler(w.db, w.eventLog, w.sets) };
}

describe('RenamePermissionSetHandler', () => {
  it('renames and appends permissions.set.changed (renamed, from, to)', async () => {
    const w = setup();
    await w.handler.execute(new RenamePermissionSetCommand('acme', ada, 'set-1', ' Care team '));
    expect(w.sets.rows.get('set-1')).toMatchObject({
      name: 'Care team',
      integrationIds: ['int-1'],
      memberIds: ['alice'],
    });
    expect(w.log.committed).toEqual([
      {
        tenant: 'acme',
        type: 'permissions.set.changed',
        actor: ada,
        subject: { type: 'permission-set', id: 'set-1' },
        data: { permissionSetId: 'set-1', kind: 'renamed', from: 'Support team', to: 'Care team' },
        integrationId: null,
      },
    ]);
  });

  it('the same name again changes nothing and logs nothing', async () => {
    const w = setup();
    await w.handler.execute(new RenamePermissionSetCommand('acme', ada, 'set-1', 'Support team'));
    expect(w.log.committed).toEqual([]);
  });

  it("another set's name: PERMISSION_SET_NAME_TAKEN, the rename rolled back", async () => {
    const w = setup();
    await expect(
      w.handler.execute(new RenamePermissionSetCommand('acme', ada, 'set-1', 'Sales')),
    ).rejects.toMatchObject({
      code: 'PERMISSION_SET_NAME_TAKEN',
    });
    expect(w.sets.rows.get('set-1')?.name).toBe('Support team');
    expect(w.log.committed).toEqual([]);
  });

  it("another tenant's set, or none: NOT_FOUND", async () => {
    const w = setup();
    await expect(
      w.handler.execute(new RenamePermissionSetCommand('acme', ada, 'set-9', 'Mine')),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      w.handler.execute(new RenamePermissionSetCommand('acme', ada, 'nope', 'Mine')),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(w.sets.rows.get('set-9')?.name).toBe('Other');
  });

  it('a blank name: VALIDATION_FAILED, nothing changed', async () => {
    const w = setup();
    await expect(
      w.handler.execute(new RenamePermissionSetCommand('acme', ada, 'set-1', ' ')),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(w.sets.rows.get('set-1')?.name).toBe('Support team');
  });
});
