import { startAppWithSimulator } from '../support/tiktok';
import { startTestApp, type TestApp } from '../support/app';
import { connectAccount } from '../factories/connect';
import { makeDue, seedComments, seedVideos, storedComments, syncRow } from '../factories/sync';
import { TikTokSyncSaga } from '@modules/integrations/application/sync/tiktok-sync.saga';
import { TikTokSyncScheduler } from '@modules/integrations/application/sync/tiktok-sync.scheduler';
import { SyncLeaseLostError, SyncRepository } from '@modules/integrations/application/sync/sync.repository';
import { InstanceLiveness } from '@shared/database/instance-liveness';
import { asSuperuser } from '../support/database';
import { eventually } from '../support/eventually';

describe('sync: two instances on one database', () => {
  let env: Awaited<ReturnType<typeof startAppWithSimulator>>;
  let second: TestApp;
  beforeAll(async () => {
    env = await startAppWithSimulator({ app: { env: { WORKERS: 'false', SYNC_INTERVAL_SECONDS: '60' } } });
    second = await startTestApp({
      testDb: env.t.testDb,
      env: { WORKERS: 'false', SYNC_INTERVAL_SECONDS: '60', TIKTOK_REQUEST_TIMEOUT_MS: '2000' },
      tiktok: { apiBaseUrl: env.sim.apiBaseUrl, authorizeUrl: env.sim.authorizeUrl, clientKey: env.sim.clientKey, clientSecret: env.sim.clientSecret },
    });
  });
  afterAll(async () => {
    await second?.close();
    await env?.close();
  });

  it('never sync one integration at once: each due run is leased by exactly one of them', async () => {
    const { sim, t } = env;
    const acct = sim.control.addAccount({ username: 'twins' });
    const videos = seedVideos(sim, acct.openId, 4);
    const all = videos.flatMap((v) => seedComments(sim, acct.openId, v.itemId, 35));
    const id = (await connectAccount(t, sim, acct.openId, t.token({ tenant: 'acme' }))).connectedId!;

    const timeline: { who: string; start: number; end: number }[] = [];
    for (const [who, app] of [['a', t], ['b', second]] as const) {
      const saga = app.app.get(TikTokSyncSaga);
      const run = saga.run.bind(saga);
      jest.spyOn(saga, 'run').mockImplementation(async (claim, accounts) => {
        const start = Date.now();
        try {
          return await run(claim, accounts);
        } finally {
          timeline.push({ who, start, end: Date.now() });
        }
      });
    }
    for (let round = 0; round < 6; round++) {
      await makeDue(t, id);
      const [na, nb] = await Promise.all([t.app.get(TikTokSyncScheduler).syncOnce(), second.app.get(TikTokSyncScheduler).syncOnce()]);
      expect(na + nb).toBe(1);
    }
    expect(timeline).toHaveLength(6);
    const sorted = [...timeline].sort((x, y) => x.start - y.start);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i].start).toBeGreaterThanOrEqual(sorted[i - 1].end);
    expect(await storedComments(t, id)).toHaveLength(all.length);
    expect((await syncRow(t, id)).lease_owner).toBeNull();
  });

  it("takes a lease whose holder is gone at once, and never one whose holder is alive", async () => {
    const { sim, t } = env;
    const acct = sim.control.addAccount({ username: 'heldlease' });
    const id = (await connectAccount(t, sim, acct.openId, t.token({ tenant: 'acme' }))).connectedId!;
    const [repoA, repoB] = [t.app.get(SyncRepository), second.app.get(SyncRepository)];
    const ownerA = await t.app.get(InstanceLiveness).owner();
    const ownerB = await second.app.get(InstanceLiveness).owner();
    const held = await repoA.claim('acme', id, ownerA, 90_000, true);
    expect(held).not.toBeNull();
    // the holder is alive and its lease has 90 s to run: nobody else gets it
    expect(await repoB.claim('acme', id, ownerB, 90_000, true)).toBeNull();
    expect(await repoA.due(100)).not.toContainEqual({ tenant: 'acme', integrationId: id });

    // the holder's connection dies (as with kill -9): its liveness lock goes with it
    const killed = await asSuperuser(t.testDb, (c) =>
      c.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1`, [`echo-liveness ${ownerA}`.slice(0, 63)]),
    );
    expect(killed.rowCount).toBe(1);
    const taken = await eventually(async () => {
      const c = await repoB.claim('acme', id, ownerB, 90_000, true);
      expect(c).not.toBeNull();
      return c!;
    });
    expect((await syncRow(t, id)).lease_owner).toBe(ownerB);
    expect(new Date((await syncRow(t, id)).lease_until as string).getTime()).toBeGreaterThan(Date.now() + 60_000);
    // the old holder can no longer write under its lease, and leases again under a new identity
    await expect(repoA.save(held!, held!.columns, [], { release: true, ttlMs: 90_000 })).rejects.toBeInstanceOf(SyncLeaseLostError);
    const ownerA2 = await eventually(async () => {
      const o = await t.app.get(InstanceLiveness).owner();
      expect(o).not.toBe(ownerA);
      return o;
    });
    expect(await repoA.claim('acme', id, ownerA2, 90_000, true)).toBeNull();
    await repoB.save(taken, taken.columns, [], { release: true, ttlMs: 90_000 });
  });
});
