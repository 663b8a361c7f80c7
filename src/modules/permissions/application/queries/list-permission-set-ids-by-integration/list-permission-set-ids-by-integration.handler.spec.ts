import { ListPermissionSetIdsByIntegrationQuery } from '@modules/integrations/contracts';
import { inMemoryWorld } from '../../../testing/in-memory';
import { ListPermissionSetIdsByIntegrationHandler } from './list-permission-set-ids-by-integration.handler';

function setup() {
  const w = inMemoryWorld();
  w.sets.seed('acme', {
    id: 'set-b',
    name: 'B',
    integrationIds: ['int-1', 'int-2'],
    memberIds: [],
  });
  w.sets.seed('acme', { id: 'set-a', name: 'A', integrationIds: ['int-1'], memberIds: [] });
  w.sets.seed('other', { id: 'set-9', name: 'A', integrationIds: ['int-1'], memberIds: [] });
  return { ...w, handler: new ListPermissionSetIdsByIntegrationHandler(w.db, w.sets) };
}

describe('ListPermissionSetIdsByIntegrationHandler', () => {
  it("maps every asked integration to its tenant's sets, by set id; [] when none shares it", async () => {
    const w = setup();
    const map = await w.handler.execute(
      new ListPermissionSetIdsByIntegrationQuery('acme', ['int-1', 'int-2', 'int-3']),
    );
    expect([...map]).toEqual([
      ['int-1', ['set-a', 'set-b']],
      ['int-2', ['set-b']],
      ['int-3', []],
    ]);
  });

  it('asks nothing for no integrations', async () => {
    const w = setup();
    expect([
      ...(await w.handler.execute(new ListPermissionSetIdsByIntegrationQuery('acme', []))),
    ]).toEqual([]);
    expect(w.database.transactions).toBe(0);
  });
});
