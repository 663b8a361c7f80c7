import {
  appEnvFor,
  startTikTokSimulator,
  type RunningSimulator,
  type SimulatorOptions,
} from '../../src/sandbox/tiktok-simulator';
import {
  TEST_JWT_SECRET,
  TEST_SIGNING_KEY,
  TEST_TOKEN_KEY,
  startTestApp,
  type TestApp,
  type TestAppOptions,
} from './app';

/** The simulator plus an app pointed at it. */
export async function startAppWithSimulator(
  opts: { sim?: SimulatorOptions; app?: TestAppOptions } = {},
): Promise<{ sim: RunningSimulator; t: TestApp; close(): Promise<void> }> {
  const sim = await startTikTokSimulator({ rateLimit: { enabled: false }, ...opts.sim });
  const t = await startTestApp({
    ...opts.app,
    tiktok: {
      apiBaseUrl: sim.apiBaseUrl,
      authorizeUrl: sim.authorizeUrl,
      clientKey: sim.clientKey,
      clientSecret: sim.clientSecret,
      shortLinkBase: sim.shortLinkBase,
    },
    env: { TIKTOK_REQUEST_TIMEOUT_MS: '2000', ...opts.app?.env },
  }).catch(async (err: unknown) => {
    await sim.close();
    throw err;
  });
  return {
    sim,
    t,
    close: async () => {
      await t.close();
      await sim.close();
    },
  };
}

/**
 * The environment of a real service process (`ServiceProcess`) on the test app's database, pointed
 * at the simulator, with the scheduler on and the test secrets: what the crash tests start and kill.
 */
export function childServiceEnv(
  t: TestApp,
  sim: RunningSimulator,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: t.testDb.url,
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    TOKEN_ENCRYPTION_KEY: TEST_TOKEN_KEY,
    AUDIT_SIGNING_KEY: TEST_SIGNING_KEY,
    ...appEnvFor(sim),
    ADMIN_UI_URL: 'http://admin.test',
    SYNC_INTERVAL_SECONDS: '1',
    WORKERS: 'true',
    LOG_LEVEL: 'info',
    ...extra,
  };
}
