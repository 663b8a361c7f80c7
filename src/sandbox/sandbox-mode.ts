import path from 'node:path';
import { DEMO_USERNAME, seedDemoAccount, startCommentStream } from './demo';
import { RunningSimulator, SimulatorOptions, startTikTokSimulator } from './tiktok-simulator';

/** The slice of a pino-like logger sandbox mode uses. */
export interface SandboxLogger {
  info(obj: object, msg?: string): void;
  warn?(obj: object, msg?: string): void;
}

/** The simulator's state file under DATA_DIR. */
export const SANDBOX_STATE_FILE = 'tiktok-sandbox.json';

/** The simulator as sandbox mode runs it next to the service. */
export interface RunningSandbox {
  simulator: RunningSimulator;
  /** open_id of the seeded demo account. */
  demoOpenId: string;
  /**
   * Tells the sandbox where the service listens: unless the service already
   * subscribed, comment webhooks go to `{serviceUrl}{webhookPath}`.
   */
  attach(opts: { serviceUrl: string; webhookPath?: string }): void;
  /** Stops the comment stream and the simulator. */
  stop(): Promise<void>;
}

/**
 * Starts the TikTok simulator for the service's sandbox mode: seeded demo data,
 * a live comment stream, and the manual authorize page.
 */
export async function startSandbox(
  opts: {
    logger?: SandboxLogger;
    /** The service's port (informational). */
    servicePort?: number;
    /** Simulator port; default TIKTOK_SANDBOX_PORT or a random free port. */
    port?: number;
    /** Simulator listen address; default TIKTOK_SANDBOX_HOST or 127.0.0.1 (0.0.0.0 in a container). */
    host?: string;
    /** Default 20000 (0 disables the stream). */
    streamIntervalMs?: number;
    simulator?: SimulatorOptions;
    seed?: { videos?: number; comments?: number };
    /**
     * Keeps the simulator's state in `{dataDir}/tiktok-sandbox.json`, so that the demo account,
     * its ids, its comments and the tokens Echo holds survive a restart. Default: in memory.
     */
    dataDir?: string;
  } = {},
): Promise<RunningSandbox> {
  const envPort = Number(process.env.TIKTOK_SANDBOX_PORT ?? '');
  const logger = opts.logger;
  const simulator = await startTikTokSimulator({
    ...opts.simulator,
    port: opts.port ?? (Number.isInteger(envPort) && envPort > 0 ? envPort : 0),
    stateFile: opts.dataDir !== undefined ? path.join(opts.dataDir, SANDBOX_STATE_FILE) : undefined,
    log: (level, msg, detail) => {
      const line = { context: 'sandbox', ...detail };
      if (level === 'warn' && logger?.warn) logger.warn(line, msg);
      else logger?.info(line, msg);
    },
    host: opts.host ?? (process.env.TIKTOK_SANDBOX_HOST?.trim() || undefined),
  });
  // A restored state already has the demo account: same open_id, videos, comments and tokens.
  const account =
    simulator.control.listAccounts().find((a) => a.username === DEMO_USERNAME) ??
    seedDemoAccount(simulator.control, {
      videos: opts.seed?.videos ?? 30,
      comments: opts.seed?.comments ?? 300,
    }).account;
  const interval = opts.streamIntervalMs ?? 20_000;
  const stopStream =
    interval > 0
      ? startCommentStream(simulator.control, account.openId, { intervalMs: interval })
      : () => undefined;
  logger?.info(
    {
      context: 'sandbox',
      origin: simulator.origin,
      authorizeUrl: simulator.authorizeUrl,
      controlPage: simulator.controlUrl,
      servicePort: opts.servicePort,
      demoAccount: account.username,
      state: simulator.restored
        ? `restored from ${simulator.restored.file}`
        : opts.dataDir !== undefined
          ? `new, kept in ${path.join(opts.dataDir, SANDBOX_STATE_FILE)}`
          : 'in memory',
    },
    `TikTok simulator started; act as the TikTok account owner (post videos, comment, hide, delete, revoke the app) at ${simulator.controlUrl}`,
  );
  return {
    simulator,
    demoOpenId: account.openId,
    attach({ serviceUrl, webhookPath = '/api/v1/webhooks/tiktok' }) {
      // The service's own subscription (TIKTOK_WEBHOOK_URL) wins; one this sandbox made before a
      // restart is pointed at where the service listens now.
      const control = simulator.control;
      if (control.webhookSubscription() && control.subscriptionSource === 'api') return;
      const callbackUrl = new URL(webhookPath, serviceUrl).toString();
      control.setWebhookSubscription(callbackUrl);
      opts.logger?.info(
        { context: 'sandbox', callbackUrl },
        'TikTok simulator webhooks point at the service',
      );
    },
    async stop() {
      stopStream();
      await simulator.close();
    },
  };
}
