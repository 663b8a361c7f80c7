import { seedDemoAccount, startCommentStream } from './demo';
import { RunningSimulator, SimulatorOptions, startTikTokSimulator } from './tiktok-simulator';

/** The slice of a pino-like logger sandbox mode uses. */
export interface SandboxLogger {
  info(obj: object, msg?: string): void;
}

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
  } = {},
): Promise<RunningSandbox> {
  const envPort = Number(process.env.TIKTOK_SANDBOX_PORT ?? '');
  const simulator = await startTikTokSimulator({
    ...opts.simulator,
    port: opts.port ?? (Number.isInteger(envPort) && envPort > 0 ? envPort : 0),
    host: opts.host ?? (process.env.TIKTOK_SANDBOX_HOST?.trim() || undefined),
  });
  const { account } = seedDemoAccount(simulator.control, {
    videos: opts.seed?.videos ?? 30,
    comments: opts.seed?.comments ?? 300,
  });
  const interval = opts.streamIntervalMs ?? 20_000;
  const stopStream =
    interval > 0
      ? startCommentStream(simulator.control, account.openId, { intervalMs: interval })
      : () => undefined;
  opts.logger?.info(
    {
      context: 'sandbox',
      origin: simulator.origin,
      authorizeUrl: simulator.authorizeUrl,
      servicePort: opts.servicePort,
      demoAccount: account.username,
    },
    'TikTok simulator started',
  );
  return {
    simulator,
    demoOpenId: account.openId,
    attach({ serviceUrl, webhookPath = '/api/v1/webhooks/tiktok' }) {
      if (simulator.control.webhookSubscription()) return;
      const callbackUrl = new URL(webhookPath, serviceUrl).toString();
      simulator.control.setWebhookSubscription(callbackUrl);
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
