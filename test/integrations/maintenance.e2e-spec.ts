import request from 'supertest';
import { startAppWithSimulator } from '../support/tiktok';
import type { TestApp } from '../support/app';
import { asSuperuser } from '../support/database';
import { connectAccount } from '../factories/connect';
import type { RunningSimulator } from '../../src/sandbox/tiktok-simulator';
import { IntegrationMaintenance } from '@modules/integrations/application/integration-maintenance';
import { Sealer } from '@shared/event-log/sealer';

describe('integration upkeep', () => {
  let t: TestApp;
  let sim: RunningSimulator;
  let close: () => Promise<void>;
  const admin = () => t.token({ sub: 'ada', tenant: 'acme', roles: ['admin'] });

  beforeAll(async () => {
    ({ t, sim, close } = await startAppWithSimulator({ app: { env: { WORKERS: 'false' } } }));
  });
  afterAll(async () => close?.());

  it('a revoke that fails at disconnect is not fatal and is retried by the scheduled job', async () => {
    const openId = sim.control.addAccount({ username: 'revoke.later' }).openId;
    const { connectedId } = await connectAccount(t, sim, openId, admin());
    sim.control.failNext({ path: 'tt_user/oauth2/revoke/', code: 50000, count: 10 });
    const before = sim.control.revokeCalls().length;
    await request(t.url).delete(`/api/v1/integrations/tiktok/${connectedId}`).set('authorization', `Bearer ${admin()}`).expect(204);
    expect(sim.control.revokeCalls().length).toBe(before);
    const pending = await asSuperuser(t.testDb, (c) => c.query('select revoke_pending from tiktok_integration where id = $1', [connectedId]));
    expect(pending.rows[0].revoke_pending).toBe(true);
    // each run consumes some of the remaining failures (the client retries transient ones itself)
    for (let i = 0; i < 10 && sim.control.revokeCalls().length === before; i++) await t.app.get(IntegrationMaintenance).runOnce();
    expect(sim.control.revokeCalls().length).toBe(before + 1);
    const after = await asSuperuser(t.testDb, (c) =>
      c.query('select i.revoke_pending, (select count(*) from tiktok_token k where k.integration_id = i.id) as tokens from tiktok_integration i where id = $1', [connectedId]),
    );
    expect(after.rows[0]).toEqual({ revoke_pending: false, tokens: '0' });
  });

  it('warns an admin once, by event and by a field, before the refresh token runs out', async () => {
    const openId = sim.control.addAccount({ username: 'expiring.soon' }).openId;
    const { connectedId } = await connectAccount(t, sim, openId, admin());
    let i = await request(t.url).get(`/api/v1/integrations/tiktok/${connectedId}`).set('authorization', `Bearer ${admin()}`).expect(200);
    expect(i.body.reauthDueSoon).toBe(false);
    await asSuperuser(t.testDb, (c) => c.query(`update tiktok_integration set refresh_expires_at = now() + interval '3 days' where id = $1`, [connectedId]));
    await t.app.get(IntegrationMaintenance).runOnce();
    await t.app.get(IntegrationMaintenance).runOnce();
    i = await request(t.url).get(`/api/v1/integrations/tiktok/${connectedId}`).set('authorization', `Bearer ${admin()}`).expect(200);
    expect(i.body.reauthDueSoon).toBe(true);
    await t.app.get(Sealer).drain();
    const ev = await request(t.url)
      .get(`/api/v1/events?type=tiktok.integration.reauth-due&integrationId=${connectedId}`)
      .set('authorization', `Bearer ${admin()}`)
      .expect(200);
    expect(ev.body.items).toHaveLength(1);
  });
});
