/**
 * Writes the OpenAPI document to openapi/openapi.json (`npm run api:generate`, which then generates
 * the console's typed client from it). No database, no TikTok, no listening socket: Nest's preview
 * mode resolves the modules and their controllers without creating a provider, which is all the
 * document needs. It is the document the running service serves at /api/docs-json (same module,
 * same global prefix, same `buildOpenApiDocument`); test/openapi/document.e2e-spec.ts compares them.
 *   node -r ./test/support/ts-register.js scripts/openapi.ts [out-file]
 */
import 'reflect-metadata';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { AppModule } from '../src/app.module';
import { ROOT_ROUTES } from '../src/bootstrap';
import { resolveConfig } from '@shared/config/load-config';
import { buildOpenApiDocument } from '@shared/http/openapi';

/** The document, built from the app module in preview mode. Throwaway secrets: nothing of the configuration reaches the document. */
export async function generateOpenApiDocument(): Promise<OpenAPIObject> {
  const { privateKey } = generateKeyPairSync('ed25519');
  const config = await resolveConfig(
    {
      NODE_ENV: 'development',
      AUTH_JWT_SECRET: randomBytes(32).toString('base64url'),
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      AUDIT_SIGNING_KEY: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      TIKTOK_SANDBOX: 'false',
      TIKTOK_CLIENT_KEY: 'openapi',
      TIKTOK_CLIENT_SECRET: 'openapi',
    },
    // never connected to: preview mode creates no provider
    { databaseUrl: 'postgres://openapi@127.0.0.1:9/openapi', embeddedDatabase: false },
  );
  // the contract lists the development sign-in route (API.md), so the document is built as a
  // development instance with a generated secret has it; served elsewhere, the document lacks it
  const withDevRoute = { ...config, auth: { ...config.auth, generatedSecret: true } };
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(withDevRoute),
    new FastifyAdapter(),
    {
      preview: true,
      logger: false,
      abortOnError: false,
    },
  );
  try {
    app.setGlobalPrefix('api/v1', { exclude: ROOT_ROUTES });
    return buildOpenApiDocument(app);
  } finally {
    await app.close();
  }
}

/** The committed form: two-space JSON and a final newline. */
export function serializeOpenApiDocument(doc: OpenAPIObject): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

async function main(): Promise<void> {
  const out = path.resolve(
    process.argv[2] ?? path.join(__dirname, '..', 'openapi', 'openapi.json'),
  );
  const doc = await generateOpenApiDocument();
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, serializeOpenApiDocument(doc));
  process.stdout.write(
    `openapi: wrote ${path.relative(process.cwd(), out)} (${Object.keys(doc.paths).length} paths)\n`,
  );
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(
      `openapi: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  });
}
