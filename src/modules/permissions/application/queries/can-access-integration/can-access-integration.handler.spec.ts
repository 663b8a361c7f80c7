import { CanAccessIntegrationQuery } from '@shared/auth/access-scope';
import { inMemoryWorld } from '../../../testing/in-memory';
import { CanAccessIntegrationHandler } from './can-access-integration.handler';

function setup() {
  const w = inMemoryWorld();
  w.sets.seed('acme', { id: 'set-1', name: 'A', integrationIds: ['int-1'], memberIds: ['alice'] });
  w.sets.seed('other', { id: 'set-9', name: 'A', integrationIds: ['int-9'], memberIds: ['alice'] });
  return { ...w, handler: new CanAccessIntegrationHandler(w.db, w.sets) };
}
const ask = (roles: string[], integrationId: string, userId = 'alice') =>
  new CanAccessIntegrationQuery({ tenant: 'acme', userId, roles }, integrationId);

describe('CanAccessIntegrationHandler', () => {
  it('admins: yes (whether it exists is for Integrations to say)', async () => {
    const w = setup();
    await expect(w.handler.execute(ask(['admin'], 'int-1'))).resolves.toBe(true);
    expect(w.database.transactions).toBe(0);
  });

  it('agents: only an integration a set of theirs shares, in their tenant', async () => {
    const w = setup();
    await expect(w.handler.execute(ask(['agent'], 'int-1'))).resolves.toBe(true);
    await expect(w.handler.execute(ask(['agent'], 'int-2'))).resolves.toBe(false);
    await expect(w.handler.execute(ask(['agent'], 'int-9'))).resolves.toBe(false);
    await expect(w.handler.execute(ask(['agent'], 'int-1', 'bob'))).resolves.toBe(false);
  });

  it('auditors: no', async () => {
    const w = setup();
    await expect(w.handler.execute(ask(['auditor'], 'int-1'))).resolves.toBe(false);
  });
});
