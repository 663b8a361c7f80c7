import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/bootstrap';
import { resolveConfig } from '@shared/config/load-config';
import { createRootLogger } from '@shared/operations/logger';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startTestApp, TEST_SIGNING_KEY, TEST_TOKEN_KEY } from '../support/app';

const body = { tenant: 'acme', sub: 'ada', roles: ['admin'] };

describe("POST /api/v1/dev/token (the console's development sign-in)", () => {
  describe('with the generated development secret, outside production', () => {
    let testDb: TestDatabase;
    let app: NestFastifyApplication;
    let url: string;
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'echo-dev-token-'));
    chmodSync(dataDir, 0o755);

    beforeAll(async () => {
      testDb = await createTestDatabase();
      // no AUTH_JWT_SECRET: the service generates one under DATA_DIR, as `npm start` does
      const config = await resolveConfig(
        {
          NODE_ENV: 'development',
          DATA_DIR: dataDir,
          PORT: '0',
          TOKEN_ENCRYPTION_KEY: TEST_TOKEN_KEY,
          AUDIT_SIGNING_KEY: TEST_SIGNING_KEY,
          TIKTOK_SANDBOX: 'false',
          TIKTOK_CLIENT_KEY: 'k',
          TIKTOK_CLIENT_SECRET: 's',
          WORKERS: 'false',
        },
        { databaseUrl: testDb.url, embeddedDatabase: true },
      );
      app = await createApp(
        config,
        createRootLogger('warn', new Writable({ write: (_c, _e, cb) => cb() })),
      );
      await app.listen({ port: 0, host: '127.0.0.1' });
      const a = app.getHttpServer().address();
      url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
    });
    afterAll(async () => {
      await app?.close();
      await testDb?.drop();
    });

    it('answers a token signed with that secret, which the API accepts with its roles', async () => {
      const res = await request(url)
        .post('/api/v1/dev/token')
        .send({ ...body, name: 'Ada' })
        .expect(201);
      const secret = (
        JSON.parse(readFileSync(path.join(dataDir, 'dev-secrets.json'), 'utf8')) as {
          AUTH_JWT_SECRET: string;
        }
      ).AUTH_JWT_SECRET;
      const claims = jwt.verify(res.body.token, secret, { algorithms: ['HS256'] }) as Record<
        string,
        unknown
      >;
      expect(claims).toEqual(
        expect.objectContaining({ sub: 'ada', tenant: 'acme', roles: ['admin'], name: 'Ada' }),
      );
      expect(Number(claims.exp) - Number(claims.iat)).toBe(8 * 3600);
      await request(url)
        .get('/api/v1/permission-sets')
        .set('authorization', `Bearer ${res.body.token}`)
        .expect(200);
      const agent = await request(url)
        .post('/api/v1/dev/token')
        .send({ ...body, roles: ['agent'] })
        .expect(201);
      await request(url)
        .get('/api/v1/permission-sets')
        .set('authorization', `Bearer ${agent.body.token}`)
        .expect(403);
    });

    it('refuses a bad body with VALIDATION_FAILED, one detail per field', async () => {
      const bad = await request(url)
        .post('/api/v1/dev/token')
        .send({ tenant: 'Not A Tenant', sub: '', roles: ['root'] })
        .expect(400);
      expect(bad.body.error.code).toBe('VALIDATION_FAILED');
      expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
        'roles',
        'sub',
        'tenant',
      ]);
      const none = await request(url)
        .post('/api/v1/dev/token')
        .send({ tenant: 'acme', sub: 'x', roles: [] })
        .expect(400);
      expect(none.body.error.details).toEqual([expect.objectContaining({ field: 'roles' })]);
      const extra = await request(url)
        .post('/api/v1/dev/token')
        .send({ ...body, admin: true })
        .expect(400);
      expect(extra.body.error.code).toBe('VALIDATION_FAILED');
    });
  });

  it('does not exist with a configured AUTH_JWT_SECRET (a JSON 404, as any unknown route)', async () => {
    const t = await startTestApp({ env: { WORKERS: 'false' } });
    try {
      const res = await request(t.url).post('/api/v1/dev/token').send(body).expect(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    } finally {
      await t.close();
    }
  });

  it('does not exist in production', async () => {
    const t = await startTestApp({
      env: {
        WORKERS: 'false',
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused',
      },
    });
    try {
      expect(t.config.production).toBe(true);
      const res = await request(t.url).post('/api/v1/dev/token').send(body).expect(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    } finally {
      await t.close();
    }
  });
});
