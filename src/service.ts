import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from './bootstrap';
import { resolveConfig, readEnvSettings, type Env } from '@shared/config/load-config';
import type { AppConfig } from '@shared/config/app-config';
import { resolveDatabase } from '@shared/database/bootstrap-database';
import { createRootLogger } from '@shared/operations/logger';
import { startSandbox, type RunningSandbox } from '@sandbox/sandbox-mode';

export interface RunningService {
  app: NestFastifyApplication;
  config: AppConfig;
  url: string;
  stop(): Promise<void>;
}

/**
 * The whole service: database (embedded unless DATABASE_URL), sandbox TikTok when configured,
 * validated config, HTTP app, graceful stop on SIGTERM/SIGINT (stop taking requests, finish
 * in-flight ones, stop workers, close the pool, stop the embedded database).
 */
/**
 * The URL a person (and a browser) should use: the OAuth callback's host, because the connect's
 * cookie is set by the host the connect started at and must come back to the callback. On this
 * machine (a loopback name) with the port actually listened on; otherwise the public origin.
 */
export function browserUrl(redirectUri: string, port: number): string {
  const u = new URL(redirectUri);
  const loopback =
    ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname) || u.hostname.endsWith('.localhost');
  return loopback ? `http://${u.hostname}:${port}` : u.origin;
}

export async function startService(env: Env, opts: { handleSignals?: boolean } = { handleSignals: true }): Promise<RunningService> {
  const startedAt = Date.now();
  const settings = readEnvSettings(env);
  const logger = createRootLogger(env.LOG_LEVEL?.trim() || 'info');
  const db = await resolveDatabase({
    databaseUrl: settings.databaseUrl,
    dataDir: settings.dataDir,
    onLog: (line) => logger.debug({ context: 'postgres' }, line),
  });
  if (db.embedded?.relocated) {
    logger.warn(
      { context: 'database', dataDir: db.embedded.dataDir },
      `the postgres user cannot enter DATA_DIR (${settings.dataDir}): the embedded PostgreSQL keeps its data in ${db.embedded.dataDir}, under the temp dir, which the system may clear; set DATA_DIR to a folder the postgres user can enter to keep it`,
    );
  } else if (db.embedded) {
    logger.info({ context: 'database', dataDir: db.embedded.dataDir }, `embedded PostgreSQL: data in ${db.embedded.dataDir}`);
  }
  let sandbox: RunningSandbox | null = null;
  let app: NestFastifyApplication | null = null;
  try {
    if (settings.tiktokSandbox) {
      const every = Number(env.SANDBOX_COMMENT_INTERVAL_MS ?? '5000');
      sandbox = await startSandbox({
        logger,
        servicePort: settings.port,
        streamIntervalMs: Number.isFinite(every) && every >= 0 ? every : 5000,
        dataDir: settings.dataDir,
      });
      logger.warn(
        { context: 'sandbox', tiktok: sandbox.simulator.origin },
        'SANDBOX MODE: TikTok is the built-in simulator (TIKTOK_CLIENT_KEY is unset); nothing reaches the real TikTok',
      );
    }
    const config = await resolveConfig(env, {
      databaseUrl: db.url,
      embeddedDatabase: db.embedded !== null,
      sandboxTikTok: sandbox
        ? {
            apiBaseUrl: sandbox.simulator.apiBaseUrl,
            authUrl: sandbox.simulator.authorizeUrl,
            clientKey: sandbox.simulator.clientKey,
            clientSecret: sandbox.simulator.clientSecret,
            shortLinkBase: sandbox.simulator.shortLinkBase,
          }
        : undefined,
      warn: (m) => logger.warn({ context: 'config' }, m),
    });
    logger.level = config.logLevel;
    app = await createApp(config, logger);
    await app.listen({ port: config.port, host: config.host });
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = browserUrl(config.tiktok.redirectUri, port);
    sandbox?.attach({ serviceUrl: `http://127.0.0.1:${port}` });
    logger.info(
      {
        context: 'service',
        url,
        openAt: `open Echo at ${url} (the host of TIKTOK_REDIRECT_URI): a TikTok connect started at another host name (e.g. 127.0.0.1 for localhost) fails with STATE_INVALID, its cookie belongs to the other host`,
        ...(sandbox ? { sandboxControl: sandbox.simulator.controlUrl } : {}),
        embeddedDatabase: db.embedded !== null,
        sandbox: config.tiktok.sandbox,
        ms: Date.now() - startedAt,
      },
      'ready',
    );
    const running = app;
    let stopping: Promise<void> | null = null;
    const stop = (): Promise<void> =>
      (stopping ??= (async () => {
        logger.info({ context: 'service' }, 'stopping');
        await running.close();
        await sandbox?.stop();
        await db.embedded?.stop();
        logger.info({ context: 'service' }, 'stopped');
      })());
    if (opts.handleSignals) {
      for (const sig of ['SIGTERM', 'SIGINT'] as const) {
        // ours alone: stop after in-flight requests finished, then stop the embedded database.
        process.removeAllListeners(sig);
        process.once(sig, () => {
          const force = setTimeout(() => process.exit(1), 9_000);
          force.unref();
          void stop().then(() => process.exit(0));
        });
      }
    }
    return { app: running, config, url, stop };
  } catch (err) {
    await app?.close().catch(() => undefined);
    await sandbox?.stop().catch(() => undefined);
    await db.embedded?.stop().catch(() => undefined);
    throw err;
  }
}
