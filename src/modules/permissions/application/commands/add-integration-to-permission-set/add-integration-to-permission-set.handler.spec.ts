import type { IntegrationSummary } from '@modules/integrations/contracts';
import { inMemoryWorld } from '../../../testing/in-memory';
import { AddIntegrationToPermissionSetCommand } from './add-integration-to-permission-set.command';
import { AddIntegrationToPermissionSetHandler } from './add-integration-to-permission-set.handler';

const ada = { type: 'user' as const, id: 'ada' };
const integration = (id: string, tenant = 'acme'): IntegrationSummary => ({
  id,
  tenant,
  tiktokAccountId: `open-${id}`,
  username: 'brand',
  displayName: 'Brand',
  status: 'active',
});

function setup() {
  const w = inMemoryWorld([
    integration('int-1'),
    integration('int-2'),
    integration('int-9', 'other'),
  ]);
  w.sets.seed('acme', {
    id: 'set-1',
    name: 'Support team',
    integrationIds: ['int-1'],
    memberIds: [],
  });
  return {
    ...w,
    handler: new AddIntegrationToPermissionSetHandler(w.db, w.eventLog, w.queries, w.sets),
  };
}

describe('AddIntegrationToPermissionSetHandler', () => {
  it('asks Integrations first, then adds and appends integration-added (with the integration for the log filter)', async () => {
    const w = setup();
    await w.handler.execute(
      new AddIntegrationToPermissionSetCommand('acme', ada, 'set-1', 'int-2'),
    );
    expect(w.asked).toEqual([expect.objectContaining({ tenant: 'acme', integrationId: 'int-2' })]);
    expect(w.sets.rows.get('set-1')?.integrationIds).toEqual(['int-1', 'int-2']);
    expect(w.log.committed).toEqual([
      {
        tenant: 'acme',
        type: 'permissions.set.changed',
        actor: ada,
        subject: { type: 'permission-set', id: 'set-1' },
        data: { permissionSetId: 'set-1', kind: 'integration-added', integrationId: 'int-2' },
        integrationId: 'int-2',
      },
    ]);
  });

  it('is idempotent: an integration the set has already logs nothing', async () => {
    const w = setup();
    await w.handler.execute(
      new AddIntegrationToPermissionSetCommand('acme', ada, 'set-1', 'int-1'),
    );
    expect(w.sets.rows.get('set-1')?.integrationIds).toEqual(['int-1']);
    expect(w.log.committed).toEqual([]);
  });

  it("an integration Integrations does not know for the tenant (another tenant's): NOT_FOUND, no transaction", async () => {
    const w = setup();
    await expect(
      w.handler.execute(new AddIntegrationToPermissionSetCommand('acme', ada, 'set-1', 'int-9')),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'Integration not found',
    });
    expect(w.database.transactions).toBe(0);
  });

  it('no such set: NOT_FOUND', async () => {
    const w = setup();
    await expect(
      w.handler.execute(new AddIntegrationToPermissionSetCommand('acme', ada, 'set-x', 'int-2')),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'Permission set not found',
    });
    expect(w.log.committed).toEqual([]);
  });
});
