import { startTikTokSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/sandbox/tiktok-simulator';
import { startTestApp, type TestApp, type TestAppOptions } from './app';

/** The simulator plus an app pointed at it. */
export async function startAppWithSimulator(
  opts: { sim?: SimulatorOptions; app?: TestAppOptions } = {},
): Promise<{ sim: RunningSimulator; t: TestApp; close(): Promise<void> }> {
  const sim = await startTikTokSimulator({ rateLimit: { enabled: false }, ...opts.sim });
  const t = await startTestApp({
    ...opts.app,
    tiktok: { apiBaseUrl: sim.apiBaseUrl, authorizeUrl: sim.authorizeUrl, clientKey: sim.clientKey, clientSecret: sim.clientSecret, shortLinkBase: sim.shortLinkBase },
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
