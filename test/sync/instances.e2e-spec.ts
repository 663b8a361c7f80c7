import { startAppWithSimulator } from '../support/tiktok';
import { startTestApp, type TestApp } from '../support/app';
import { connectAccount } from '../factories/connect';
import { makeDue, seedComments, seedVideos, storedComments, syncRow } from '../factories/sync';
import { TikTokSyncSaga } from '@modules/integrations/application/sync/tiktok-sync.saga';
import { TikTokSyncScheduler } from '@modules/integrations/application/sync/tiktok-sync.scheduler';

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
});
