import { freePort } from '@shared/database/embedded-postgres';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { ServiceProcess } from '../support/service-process';
import { startAppWithSimulator } from '../support/tiktok';
import { asSuperuser } from '../support/database';
import { connectAccount } from '../factories/connect';
import {
  makeDue,
  seedComments,
  seedVideos,
  storedComments,
  syncOnce,
  syncUntilIdle,
} from '../factories/sync';
import { TEST_JWT_SECRET, TEST_SIGNING_KEY, TEST_TOKEN_KEY } from '../support/app';

/** Issue 13 §5: at `info` the log says what a person needs. */
describe('logs at info', () => {
  let testDb: TestDatabase;
  let svc: ServiceProcess | undefined;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await svc?.signal('SIGTERM');
    await testDb?.drop();
  });

  it('start-up is a few lines, one per subsystem, and no line per route', async () => {
    svc = new ServiceProcess({
      DATABASE_URL: testDb.url,
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      TOKEN_ENCRYPTION_KEY: TEST_TOKEN_KEY,
      AUDIT_SIGNING_KEY: TEST_SIGNING_KEY,
      SANDBOX_COMMENT_INTERVAL_MS: '0',
    });
    await svc.start();
    const lines = svc.output
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: string; msg?: string; context?: string });
    const upToReady = lines.slice(0, lines.findIndex((l) => l.msg === 'ready') + 1);
    expect(
      upToReady.filter(
        (l) =>
          l.context === 'RouterExplorer' ||
          l.context === 'RoutesResolver' ||
          /Mapped \{/.test(l.msg ?? ''),
      ),
    ).toEqual([]);
    // sandbox (2), its webhooks, ready; the first-run and sandbox work may add a line or two
    expect(upToReady.length).toBeLessThanOrEqual(10);
    expect(upToReady.filter((l) => l.context === 'InstanceLoader')).toEqual([]);
  });

  it("a backfill that meets TikTok's rate limit and waits for the budget logs no warning, and one info line per run", async () => {
    const env = await startAppWithSimulator({
      app: { env: { WORKERS: 'false', SYNC_INTERVAL_SECONDS: '60', LOG_LEVEL: 'info' } },
    });
    try {
      const { t, sim } = env;
      const acct = sim.control.addAccount({ username: 'busy' });
      const videos = seedVideos(sim, acct.openId, 3);
      const comments = seedComments(sim, acct.openId, videos[0].itemId, 40);
      const { connectedId } = await connectAccount(
        t,
        sim,
        acct.openId,
        t.token({ tenant: 'acme' }),
      );
      const from = t.logs.length;
      // TikTok says 40100 once: the account's budget is held for a window, the run waits for it
      sim.control.failNext({ path: 'business/comment/list/', count: 1, code: 40100 });
      await syncOnce(t);
      await asSuperuser(t.testDb, (c) =>
        c.query(`delete from tiktok_rate_bucket where bucket like $1`, [`acct:${acct.openId}:%`]),
      );
      await makeDue(t, connectedId!);
      await syncUntilIdle(t);
      expect(await storedComments(t, connectedId!)).toHaveLength(comments.length);
      const lines = t.logs
        .slice(from)
        .map((l) => JSON.parse(l) as { level: string; msg?: string; outcome?: string });
      expect(lines.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
      expect(lines.filter((l) => l.msg === 'tiktok call' || l.msg === 'sync page')).toEqual([]);
      expect(
        lines.some((l) => l.msg === 'sync waits for the rate budget' && l.level === 'info'),
      ).toBe(true);
      expect(lines.some((l) => l.msg === 'sync run' && l.outcome === 'backfill completed')).toBe(
        true,
      );
    } finally {
      await env.close();
    }
  });
});
