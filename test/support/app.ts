import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import jwt from 'jsonwebtoken';
import { Writable } from 'node:stream';
import { createApp } from '../../src/bootstrap';
import { resolveConfig, type Env } from '@shared/config/load-config';
import type { AppConfig } from '@shared/config/app-config';
import { Database } from '@shared/database/database';
import { createRootLogger } from '@shared/operations/logger';
import { createTestDatabase, type TestDatabase } from './database';

export const TEST_JWT_SECRET = 'test-secret-0123456789-0123456789-abcdef';
const { privateKey } = generateKeyPairSync('ed25519');
export const TEST_SIGNING_KEY = privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
export const TEST_TOKEN_KEY = randomBytes(32).toString('base64');

export interface TestApp {
  app: NestFastifyApplication;
  url: string;
  config: AppConfig;
  db: Database;
  testDb: TestDatabase;
  /** every log line the app wrote (JSON), for secret scans */
  logs: string[];
  token(claims?: { sub?: string; tenant?: string; roles?: string[]; expiresIn?: number }): string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Env;
  /** reuse a database (a second instance on the same one); default: a fresh clone */
  testDb?: TestDatabase;
  /** TikTok side: the simulator's URLs and credentials */
  tiktok?: { apiBaseUrl: string; authorizeUrl: string; clientKey: string; clientSecret: string; shortLinkBase?: string };
}

/** Boots the real app (same createApp as main.ts) on a loopback port against a test database. */
export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const testDb = opts.testDb ?? (await createTestDatabase());
  const env: Env = {
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    TOKEN_ENCRYPTION_KEY: TEST_TOKEN_KEY,
    AUDIT_SIGNING_KEY: TEST_SIGNING_KEY,
    TIKTOK_SANDBOX: 'false',
    TIKTOK_CLIENT_KEY: opts.tiktok?.clientKey ?? 'test-client-key',
    TIKTOK_CLIENT_SECRET: opts.tiktok?.clientSecret ?? 'test-client-secret',
    TIKTOK_API_BASE_URL: opts.tiktok?.apiBaseUrl ?? 'http://127.0.0.1:9/open_api/v1.3/',
    TIKTOK_AUTH_URL: opts.tiktok?.authorizeUrl ?? 'http://127.0.0.1:9/v2/auth/authorize/',
    TIKTOK_REDIRECT_URI: 'http://127.0.0.1:3000/api/v1/integrations/tiktok/callback',
    ADMIN_UI_URL: 'http://admin.test',
    LOG_LEVEL: 'info',
    EVENT_SEAL_INTERVAL_MS: '20',
    ...opts.env,
  };
  const config = await resolveConfig(env, { databaseUrl: testDb.url, embeddedDatabase: false });
  if (opts.tiktok?.shortLinkBase) config.tiktok.shortLinkBase = opts.tiktok.shortLinkBase;
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString('utf8'));
      cb();
    },
  });
  const logger = createRootLogger(config.logLevel, sink);
  const app = await createApp(config, logger);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    app,
    url,
    config,
    db: app.get(Database),
    testDb,
    logs,
    token: (c = {}) =>
      jwt.sign(
        { sub: c.sub ?? 'user-1', tenant: c.tenant ?? 'acme', roles: c.roles ?? ['admin'] },
        TEST_JWT_SECRET,
        { algorithm: 'HS256', expiresIn: c.expiresIn ?? 3600 },
      ),
    close: async () => {
      await app.close();
      if (!opts.testDb) await testDb.drop();
    },
  };
}
